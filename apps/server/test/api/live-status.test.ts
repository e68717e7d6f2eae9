import type { ServerMessage } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/kernel/exec.js';
import { api, TestSocket } from './helpers.js';
import { kernelLab } from './kernel-lab.js';

const k = kernelLab('st');
const { lab } = k;

/** The next status the socket publishes after `since` messages that satisfies `pred`. */
function statusAfter(
  s: TestSocket,
  since: number,
  pred: (
    status: Extract<ServerMessage, { type: 'delta' }>['event'] & { kind: 'status' },
  ) => boolean,
  timeoutMs: number,
) {
  const seen = new Set(s.messages.slice(0, since));
  return s.next(
    (m) => !seen.has(m) && m.type === 'delta' && m.event.kind === 'status' && pred(m.event),
    timeoutMs,
  );
}

describe('live status', () => {
  it('follows a namespace and a veth deleted by hand within 2 s, without a save or an apply', async () => {
    const applied = await api(k.srv, 'POST', `/api/labs/${k.id}/apply`, {});
    expect(applied.json.ok, applied.text).toBe(true);
    const s = await TestSocket.open(k.srv);
    try {
      s.send({ type: 'subscribe', topic: { lab } });
      expect(await s.next((m) => m.type === 'snapshot')).toMatchObject({
        lab: { status: { state: 'running' } },
      });

      // A namespace deleted in a shell.
      let mark = s.messages.length;
      let started = performance.now();
      await exec(['ip', 'netns', 'del', `nc-${lab}.c1`]);
      await statusAfter(s, mark, (e) => e.status.elements.c1?.state === 'missing', 2000);
      expect(performance.now() - started).toBeLessThan(2000);

      // Apply puts it back; the status says so.
      mark = s.messages.length;
      expect((await api(k.srv, 'POST', `/api/labs/${k.id}/apply`, {})).json.ok).toBe(true);
      await statusAfter(s, mark, (e) => e.status.state === 'running', 10_000);

      // A veth deleted in a shell.
      mark = s.messages.length;
      started = performance.now();
      await exec(['ip', '-n', `nc-${lab}.c2`, 'link', 'del', 'dev', 'vlan10']);
      const drift = await statusAfter(
        s,
        mark,
        (e) => e.status.elements.c2?.state === 'drift',
        2000,
      );
      expect(performance.now() - started).toBeLessThan(2000);
      expect(JSON.stringify(drift)).toMatch(/vlan10/);
    } finally {
      s.close();
    }
  });
});
