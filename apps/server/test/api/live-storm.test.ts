/**
 * A storm of link toggles on a real lab (thousands, as fast as one `ip -batch` takes them),
 * watched through the server's socket: once it ends, what the client holds is what the kernel
 * says, link by link, and the status it was last sent is the status read afresh. Real engine,
 * real kernel sources with the netlink helper, a lab under this test's own name (removed at
 * the end, checked in /run/netns). Needs root.
 */
import { spawn } from 'node:child_process';
import {
  type LabStatus,
  type LinkLive,
  recordHints,
  resolve,
  type ServerMessage,
} from '@netcanvas/shared';
import { expect, it } from 'vitest';
import { exec } from '../../src/kernel/exec.js';
import { labDesignOf } from '../../src/store/store.js';
import { untilAsync } from '../until.js';
import { api, TestSocket } from './helpers.js';
import { kernelLab } from './kernel-lab.js';

const MEMBERS = 8;
const designOf = (lab: string) => ({
  apiVersion: 'netcanvas/v1',
  name: lab,
  nodes: {
    vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
    ...Object.fromEntries(
      Array.from({ length: MEMBERS }, (_, i) => [`c${i + 1}`, { kind: 'namespace' }]),
    ),
  },
  links: Array.from({ length: MEMBERS }, (_, i) => ({ endpoints: [`c${i + 1}`, 'vlan10'] })),
});
const k = kernelLab('sto', { netlink: true, design: designOf });
const { lab, labNetns } = k;

/** Every interface's [up, operstate] in these namespaces, as `ip -j link show` prints them. */
async function kernelEnds(netns: string[]) {
  const ends = new Map<string, { up: boolean; operstate: string }>();
  for (const ns of netns) {
    const r = await exec(['ip', '-n', ns, '-j', 'link', 'show']);
    for (const l of JSON.parse(r.stdout) as {
      ifname: string;
      flags: string[];
      operstate: string;
    }[])
      ends.set(`${ns}/${l.ifname}`, { up: l.flags.includes('UP'), operstate: l.operstate });
  }
  return ends;
}

/** The client's view: the snapshot's links and status, with every delta after it applied. */
function clientView(messages: readonly ServerMessage[]) {
  const links: Record<string, LinkLive> = {};
  let status: LabStatus | null = null;
  for (const m of messages) {
    if (m.type === 'snapshot' && m.lab) {
      Object.assign(links, m.lab.links);
      status = m.lab.status;
    }
    if (m.type === 'delta' && m.event.kind === 'links') Object.assign(links, m.event.links);
    if (m.type === 'delta' && m.event.kind === 'status') status = m.event.status;
  }
  return { links, status };
}

it('after a storm of link toggles, the client shows each link as the kernel has it, and the status read afresh', async () => {
  const applied = await api(k.srv, 'POST', `/api/labs/${k.id}/apply`, {});
  expect(applied.json.ok, applied.text).toBe(true);
  const { topology } = resolve(labDesignOf(k.srv.store.get(k.id)));
  // The vlan's side of each member's link: all in the fabric namespace, toggled by one batch.
  const fabric = `nc-${lab}`;
  const ports = topology.interfaces.filter((i) => i.netns === fabric && i.link);
  expect(ports).toHaveLength(MEMBERS);

  const s = await TestSocket.open(k.srv);
  try {
    s.send({ type: 'subscribe', topic: { lab } });
    await untilAsync(
      async () =>
        ports.every((p) => clientView(s.messages).links[p.link!]?.state === 'up') &&
        clientView(s.messages).status?.state === 'running',
      'the lab running, every link up, on the socket',
      20_000,
    );

    // 4,000 toggles, every port in turn, ending with the first half of the links down.
    let lines = '';
    const up = new Map(ports.map((p) => [p.name, true]));
    for (let i = 0; i < 4000; i++) {
      const p = ports[i % ports.length]!;
      up.set(p.name, !up.get(p.name));
      lines += `link set dev ${p.name} ${up.get(p.name) ? 'up' : 'down'}\n`;
    }
    for (const [i, p] of ports.entries()) {
      const want = i >= MEMBERS / 2;
      if (up.get(p.name) !== want) lines += `link set dev ${p.name} ${want ? 'up' : 'down'}\n`;
    }
    const batch = spawn('ip', ['-n', fabric, '-force', '-batch', '-'], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    batch.stdin.end(lines);
    expect(await new Promise((r) => batch.once('exit', r))).toBe(0);

    // What the kernel has now, link by link, as the hub decides a link's state from its ends.
    const ends = await kernelEnds(labNetns());
    const want: Record<string, string> = {};
    for (const p of ports) {
      const both = [ends.get(`${p.netns}/${p.name}`), ends.get(`${p.peer!.netns}/${p.peer!.name}`)];
      want[p.link!] = both.every(
        (e) => e?.up && e.operstate !== 'DOWN' && e.operstate !== 'LOWERLAYERDOWN',
      )
        ? 'up'
        : 'down';
    }
    expect(Object.values(want).filter((x) => x === 'down')).toHaveLength(MEMBERS / 2);
    const shown = () =>
      Object.fromEntries(ports.map((p) => [p.link!, clientView(s.messages).links[p.link!]?.state]));
    await untilAsync(
      async () => JSON.stringify(shown()) === JSON.stringify(want),
      'the links on the socket as the kernel has them',
      20_000,
    ).catch(() => {});
    expect(shown()).toEqual(want);

    // The status the client was last sent is the one read from the kernel now.
    const rec = k.srv.store.get(k.id);
    const fresh = await k.srv.engine.status(
      lab,
      labDesignOf(rec),
      rec.addresses ? recordHints(rec.addresses, rec.lab) : undefined,
    );
    expect(fresh.elements.c1?.state).toBe('drift');
    await untilAsync(
      async () => JSON.stringify(clientView(s.messages).status) === JSON.stringify(fresh),
      'the status on the socket read afresh',
      20_000,
    ).catch(() => {});
    expect(clientView(s.messages).status).toEqual(fresh);
  } finally {
    s.close();
  }
});
