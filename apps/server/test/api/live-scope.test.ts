import type { ServerMessage } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/kernel/exec.js';
import { api, TestSocket } from './helpers.js';
import { kernelLab } from './kernel-lab.js';

const k = kernelLab('sc', { netlink: true });
const { lab } = k;

type Delta = Extract<ServerMessage, { type: 'delta' }>;
const deltaAfter = (
  s: TestSocket,
  since: number,
  pred: (m: Delta) => boolean,
  timeoutMs: number,
) => {
  const seen = new Set(s.messages.slice(0, since));
  return s.next((m) => !seen.has(m) && m.type === 'delta' && pred(m), timeoutMs) as Promise<Delta>;
};

describe('live hub on the kernel', () => {
  it('a link set down by hand shows on the socket, then in the status, the others kept; counters flow after a namespace is made again', async () => {
    const applied = await api(k.srv, 'POST', `/api/labs/${k.id}/apply`, {});
    expect(applied.json.ok, applied.text).toBe(true);
    const s = await TestSocket.open(k.srv);
    try {
      s.send({ type: 'subscribe', topic: { lab } });
      const snapshot = await s.next((m) => m.type === 'snapshot');
      expect(snapshot).toMatchObject({ lab: { status: { state: 'running' } } });
      // On a loaded machine the snapshot may come before the first poll: then a delta says it.
      const upAtFirst =
        snapshot.type === 'snapshot' && snapshot.lab?.links['c1--vlan10']?.state === 'up';
      if (!upAtFirst)
        await deltaAfter(
          s,
          0,
          (m) => m.event.kind === 'links' && m.event.links['c1--vlan10']?.state === 'up',
          10_000,
        );

      // `ip -n … link set … down` in a shell: the link event first, then the status.
      let mark = s.messages.length;
      await exec(['ip', '-n', `nc-${lab}.c1`, 'link', 'set', 'dev', 'vlan10', 'down']);
      const down = await deltaAfter(
        s,
        mark,
        (m) => m.event.kind === 'links' && m.event.links['c1--vlan10']?.state === 'down',
        2000,
      );
      const status = await deltaAfter(
        s,
        mark,
        (m) => m.event.kind === 'status' && m.event.status.elements.c1?.state === 'drift',
        2000,
      );
      expect(s.messages.indexOf(down)).toBeLessThan(s.messages.indexOf(status));
      const st = status.event.kind === 'status' ? status.event.status : undefined;
      expect(st?.elements.c2?.state).toBe('deployed');
      expect(JSON.stringify(st?.elements.c1)).toMatch(/vlan10/);

      mark = s.messages.length;
      await exec(['ip', '-n', `nc-${lab}.c1`, 'link', 'set', 'dev', 'vlan10', 'up']);
      await deltaAfter(
        s,
        mark,
        (m) => m.event.kind === 'status' && m.event.status.state === 'running',
        2000,
      );

      // c2 deleted by hand, made again by an apply: its link's counters still move.
      await exec(['ip', 'netns', 'del', `nc-${lab}.c2`]);
      mark = s.messages.length;
      expect((await api(k.srv, 'POST', `/api/labs/${k.id}/apply`, {})).json.ok).toBe(true);
      await deltaAfter(
        s,
        mark,
        (m) => m.event.kind === 'status' && m.event.status.state === 'running',
        10_000,
      );
      mark = s.messages.length;
      for (let i = 0; i < 3; i++) {
        const ping = await api(k.srv, 'POST', `/api/labs/${k.id}/ping`, { from: 'c1', to: 'c2' });
        expect(ping.json.measured, ping.text).toBe(true);
      }
      await deltaAfter(
        s,
        mark,
        (m) =>
          m.event.kind === 'rates' &&
          (m.event.rates['c2--vlan10']?.rxPps ?? 0) > 0 &&
          (m.event.counters['c2--vlan10']?.rxPackets ?? 0) >= 3,
        5000,
      );
    } finally {
      s.close();
    }
  });
});
