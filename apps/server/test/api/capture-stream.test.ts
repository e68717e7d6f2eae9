import { designFromYaml, findScenario } from '@netcanvas/shared';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/kernel/exec.js';
import { packetSocketOn } from '../kernel/helpers.js';
import '../lab/helpers.js'; // needs root: fails loudly without it
import { untilAsync } from '../until.js';
import { api, TestSocket } from './helpers.js';
import { kernelLab } from './kernel-lab.js';

const k = kernelLab('cap', {
  tools: true,
  design: (lab) => ({ ...designFromYaml(findScenario('vxlan')!.yaml).design!, name: lab }),
});
const { lab, labNetns, dataDir } = k;

describe('capture over the socket', { timeout: 60_000 }, () => {
  it('a VXLAN line on r1/public reaches the client while the capture still runs', async () => {
    const applied = await api(k.srv, 'POST', `/api/labs/${k.id}/apply`, {});
    expect(applied.status, applied.text).toBe(200);
    expect(applied.json.ok, applied.text).toBe(true);

    const s = await TestSocket.open(k.srv);
    s.send({ type: 'subscribe', topic: { lab } });
    await s.next((m) => m.type === 'snapshot');

    // Long and roomy: only the streaming can make a line show up before it ends.
    const cap = await api(k.srv, 'POST', `/api/labs/${k.id}/captures`, {
      node: 'r1',
      dev: 'public',
      packets: 1000,
      seconds: 12,
    });
    expect(cap.status, cap.text).toBe(202);
    await untilAsync(() => packetSocketOn(`nc-${lab}.r1`, 'public'), 'tcpdump attached');

    const ping = await api(k.srv, 'POST', `/api/labs/${k.id}/ping`, { from: 'c1', to: 'c2' });
    expect(ping.json.measured, ping.text).toBe(true);
    const isCapture = (m: (typeof s.messages)[number]) =>
      m.type === 'delta' && m.event.kind === 'capture' && m.event.capture === cap.json.id;
    const linesSoFar = () =>
      s.messages.flatMap((m) =>
        isCapture(m) && m.type === 'delta' && m.event.kind === 'capture' ? m.event.lines : [],
      );
    // tcpdump prints a tunnel packet as its outer UDP line, then the frame inside it.
    await s.next(
      (m) =>
        isCapture(m) &&
        m.type === 'delta' &&
        m.event.kind === 'capture' &&
        m.event.lines.some((l) => l.includes(`> ${ping.json.target}: ICMP echo request`)),
      10_000,
    );
    const lines = linesSoFar();
    const inner = lines.findIndex((l) => l.includes(`> ${ping.json.target}: ICMP echo request`));
    expect(lines[inner - 1]).toMatch(
      /^\S+ IP [\d.]+\.\d+ > [\d.]+\.4789: VXLAN, flags \[I\] \(0x08\), vni 42$/,
    );
    // The capture has not ended: no message of it carries `done` yet.
    expect(
      s.messages.some(
        (m) => isCapture(m) && m.type === 'delta' && m.event.kind === 'capture' && !!m.event.done,
      ),
    ).toBe(false);

    // It ends by its time bound, and no tcpdump is left inside the lab when it is destroyed.
    const done = await s.next(
      (m) => isCapture(m) && m.type === 'delta' && m.event.kind === 'capture' && !!m.event.done,
      20_000,
    );
    expect(done).toMatchObject({ event: { done: { reason: 'stopped after 12 s' } } });
    s.close();
  });

  it('a switch is captured on at its bridge port in the fabric namespace, filtered, stopped, and its pcap reads back', async () => {
    const s = await TestSocket.open(k.srv);
    s.send({ type: 'subscribe', topic: { lab } });
    await s.next((m) => m.type === 'snapshot');
    // `public` has no namespace of its own: its port towards r1 lives in the fabric namespace.
    const cap = await api(k.srv, 'POST', `/api/labs/${k.id}/captures`, {
      node: 'public',
      dev: 'r1-public',
      packets: 1000,
      seconds: 60,
      filter: 'udp port 4789',
    });
    expect(cap.status, cap.text).toBe(202);
    await untilAsync(() => packetSocketOn(`nc-${lab}`, 'r1-public'), 'tcpdump attached');
    const ping = await api(k.srv, 'POST', `/api/labs/${k.id}/ping`, { from: 'c1', to: 'c2' });
    expect(ping.json.measured, ping.text).toBe(true);
    const mine = (m: (typeof s.messages)[number]) =>
      m.type === 'delta' && m.event.kind === 'capture' && m.event.capture === cap.json.id
        ? m.event
        : null;
    await s.next((m) => !!mine(m)?.lines.some((l) => l.includes('VXLAN')), 10_000);
    const stop = await api(k.srv, 'POST', `/api/labs/${k.id}/captures/${cap.json.id}/stop`, {});
    expect(stop.status, stop.text).toBe(202);
    const done = await s.next((m) => !!mine(m)?.done, 10_000);
    expect(mine(done)?.done?.reason).toBe('stopped');
    const lines = s.messages.flatMap((m) => mine(m)?.lines ?? []);
    // The filter held: the tunnel's outer packets only, never the ARP or ICMP of the underlay.
    const outer = lines.filter((l) => / IP [\d.]+\.\d+ > [\d.]+\.\d+: /.test(l));
    expect(outer.length).toBeGreaterThan(0);
    expect(outer.every((l) => l.includes('VXLAN'))).toBe(true);
    // The pcap is whole: tcpdump reads it back with the same packets.
    const pcap = await api(k.srv, 'GET', `/api/captures/${cap.json.id}`);
    expect(pcap.status).toBe(200);
    const read = await exec(['tcpdump', '-n', '-r', `${dataDir}/captures/${cap.json.id}.pcap`]);
    expect(read.stdout).toContain('VXLAN');
    s.close();
  });

  it('a filter that starts with "-" or does not compile is refused, and nothing runs', async () => {
    for (const filter of ['-w /etc/passwd', ' --version', '-Z nobody icmp']) {
      const r = await api(k.srv, 'POST', `/api/labs/${k.id}/captures`, {
        node: 'r1',
        dev: 'public',
        filter,
      });
      expect(r.status, r.text).toBe(400);
      expect(r.json.error.message).toContain('cannot start with "-"');
    }
    const bad = await api(k.srv, 'POST', `/api/labs/${k.id}/captures`, {
      node: 'r1',
      dev: 'public',
      filter: 'udp port',
    });
    expect(bad.status, bad.text).toBe(400);
    expect(bad.json.error.message).toMatch(/^capture filter "udp port": .*syntax error/);
    expect(await packetSocketOn(`nc-${lab}.r1`, 'public')).toBe(false);
  });

  it('destroying the lab ends its running captures at once', async () => {
    const s = await TestSocket.open(k.srv);
    s.send({ type: 'subscribe', topic: { lab } });
    await s.next((m) => m.type === 'snapshot');
    const cap = await api(k.srv, 'POST', `/api/labs/${k.id}/captures`, {
      node: 'r2',
      dev: 'public',
      packets: 1000,
      seconds: 60,
    });
    expect(cap.status, cap.text).toBe(202);
    await untilAsync(() => packetSocketOn(`nc-${lab}.r2`, 'public'), 'tcpdump attached');
    const t0 = performance.now();
    const destroyed = await api(k.srv, 'POST', `/api/labs/${k.id}/destroy`, {});
    expect(destroyed.status, destroyed.text).toBe(200);
    // Without the stop, tcpdump would run its full minute and keep r2's namespace alive.
    await s.next(
      (m) =>
        m.type === 'delta' &&
        m.event.kind === 'capture' &&
        m.event.capture === cap.json.id &&
        !!m.event.done,
      15_000,
    );
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(labNetns()).toEqual([]);
    s.close();
  });
});
