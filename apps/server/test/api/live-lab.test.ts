/**
 * The API on a real lab: the real engine (createEngine) and the kernel's
 * live sources, on namespaces this test creates under its own lab name and
 * removes at the end (checked in /run/netns). Needs root.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packetSocketOn } from '../kernel/helpers.js';
import { untilAsync } from '../until.js';
import { api, browser, TestSocket } from './helpers.js';
import { kernelLab } from './kernel-lab.js';

const k = kernelLab('api', { tools: true, audit: true });
const { lab, labNetns, stateDir, dataDir } = k;

describe('a running lab over the API and the socket', () => {
  it('apply → live links up → traffic rates → traceroute → capture → cut link seen → destroy leaves nothing', async () => {
    const s = await TestSocket.open(k.srv);
    s.send({ type: 'subscribe', topic: { lab } });
    expect(await s.next((m) => m.type === 'snapshot')).toMatchObject({
      lab: { status: { state: 'absent' } },
    });

    // Two applies at once: exactly one runs, the other is told the lab is busy.
    const both = await Promise.all(
      [1, 2].map(() => api(k.srv, 'POST', `/api/labs/${k.id}/apply`, {})),
    );
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const applied = both.find((r) => r.status === 200)!;
    expect(applied.json.ok).toBe(true);
    await s.next(
      (m) => m.type === 'delta' && m.event.kind === 'apply' && m.event.progress.phase === 'done',
      30_000,
    );
    await s.next(
      (m) =>
        m.type === 'delta' &&
        m.event.kind === 'links' &&
        m.event.links['c1--vlan10']?.state === 'up',
      10_000,
    );

    // Traffic shows up as counters and a non-zero rate on c1's link.
    for (let i = 0; i < 3; i++) {
      const ping = await api(k.srv, 'POST', `/api/labs/${k.id}/ping`, { from: 'c1', to: 'c2' });
      expect(ping.json.measured, ping.text).toBe(true);
    }
    await s.next(
      (m) =>
        m.type === 'delta' &&
        m.event.kind === 'rates' &&
        (m.event.counters['c1--vlan10']?.txPackets ?? 0) >= 3,
      10_000,
    );

    const trace = await api(k.srv, 'POST', `/api/labs/${k.id}/traceroute`, {
      from: 'c1',
      to: 'c2',
    });
    expect(trace.status, trace.text).toBe(200);
    expect(trace.json.reached).toBe(true);
    expect(trace.json.hops.at(-1).element).toBe('c2');

    const cap = await api(k.srv, 'POST', `/api/labs/${k.id}/captures`, {
      node: 'c2',
      dev: 'vlan10',
      packets: 2,
      seconds: 8,
    });
    expect(cap.status, cap.text).toBe(202);
    await untilAsync(() => packetSocketOn(`nc-${lab}.c2`, 'vlan10'), 'tcpdump attached');
    await api(k.srv, 'POST', `/api/labs/${k.id}/ping`, { from: 'c1', to: 'c2' });
    const done = await s.next(
      (m) =>
        m.type === 'delta' &&
        m.event.kind === 'capture' &&
        m.event.capture === cap.json.id &&
        !!m.event.done,
      15_000,
    );
    expect(done).toMatchObject({ event: { done: { packets: 2 } } });
    const lines = s.messages.flatMap((m) =>
      m.type === 'delta' && m.event.kind === 'capture' && m.event.capture === cap.json.id
        ? m.event.lines
        : [],
    );
    expect(lines.join('\n')).toMatch(/ICMP echo/);
    const pcap = await api(k.srv, 'GET', `/api/captures/${cap.json.id}`);
    expect(pcap.status).toBe(200);
    expect(pcap.headers['content-type']).toContain('pcap');
    const file = readFileSync(`${dataDir}/captures/${cap.json.id}.pcap`);
    expect(file.readUInt32LE(0)).toBe(0xa1b2c3d4); // pcap magic

    // Cut c1's link (from the browser's session): the socket says so without anyone asking.
    const cut = await browser(k.srv, 'POST', `/api/labs/${k.id}/links/c1--vlan10/state`, {
      state: 'down',
    });
    expect(cut.status, cut.text).toBe(200);
    await s.next(
      (m) =>
        m.type === 'delta' &&
        m.event.kind === 'links' &&
        m.event.links['c1--vlan10']?.state === 'down',
      5_000,
    );

    const destroyed = await api(k.srv, 'POST', `/api/labs/${k.id}/destroy`, {});
    expect(destroyed.status).toBe(200);
    expect(labNetns()).toEqual([]);
    await s.next(
      (m) => m.type === 'delta' && m.event.kind === 'status' && m.event.status.state === 'absent',
      10_000,
    );
    s.close();

    // The audit log: one line per kernel change, with who asked. The apply refused as busy changed nothing.
    const session = (await browser(k.srv, 'GET', '/api/session')).json.session as string;
    const audit = readFileSync(join(stateDir, 'audit.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(
      audit.map(({ action, lab: l, design: d, result, client }) => ({
        action,
        lab: l,
        design: d,
        result,
        client,
      })),
    ).toEqual([
      { action: 'apply', lab, design: k.id, result: 'ok', client: 'master' },
      { action: 'capture-start', lab, design: k.id, result: 'ok', client: 'master' },
      { action: 'capture-stop', lab, design: k.id, result: 'ok', client: 'master' },
      { action: 'link-state', lab, design: k.id, result: 'ok', client: `session:${session}` },
      { action: 'destroy', lab, design: k.id, result: 'ok', client: 'master' },
    ]);
    expect(audit[0].ops).toBeGreaterThan(0);
    expect(audit[3]).toMatchObject({ link: 'c1--vlan10', state: 'down' });
    expect(audit[3].ops).toBeGreaterThan(0);
    expect(audit[4].ops).toBe(3);
  });
});
