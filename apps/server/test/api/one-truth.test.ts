/**
 * One truth per lab, on the real kernel (needs root): the server's address
 * record decides addresses (the kernel only disagrees as drift), and a link
 * cut changes that one link in the kernel, never pending edits.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/lab/index.js';
import { api, startTestServer, type TestServer, TestSocket, tempDir } from './helpers.js';

const lab = `t-one-${Math.random().toString(36).slice(2, 7)}`;
const labNetns = () =>
  readdirSync('/run/netns').filter((n) => n === `nc-${lab}` || n.startsWith(`nc-${lab}.`));
const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });
const kernelAddress = (node: string, dev: string) => {
  const [link] = JSON.parse(ip('-n', `nc-${lab}.${node}`, '-j', 'addr', 'show', 'dev', dev)) as {
    addr_info: { family: string; local: string; prefixlen: number }[];
  }[];
  return link!.addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
};
const operstate = (node: string, dev: string) =>
  (
    JSON.parse(ip('-n', `nc-${lab}.${node}`, '-j', 'link', 'show', 'dev', dev)) as {
      flags: string[];
    }[]
  )[0]!.flags.includes('UP')
    ? 'up'
    : 'down';

const threeOnOneVlan = {
  apiVersion: 'netcanvas/v1',
  name: lab,
  nodes: {
    vlan10: { kind: 'vlan', vid: 10, subnet: '10.0.10.0/24' },
    r1: { kind: 'router' },
    c1: { kind: 'namespace' },
    c2: { kind: 'namespace' },
    c3: { kind: 'namespace' },
  },
  links: [
    { endpoints: ['r1', 'vlan10'] },
    { endpoints: ['c1', 'vlan10'] },
    { endpoints: ['c2', 'vlan10'] },
    { endpoints: ['c3', 'vlan10'] },
  ],
};

let srv: TestServer;
let id: string;
const stateDir = tempDir('nc-one-state-');

beforeEach(async () => {
  srv = await startTestServer({ engine: createEngine({ stateDir }) });
  id = srv.store.create(threeOnOneVlan).id;
});

afterEach(async () => {
  try {
    await srv.engine.destroy(lab);
  } finally {
    await srv.stop();
  }
  expect(labNetns()).toEqual([]);
});

afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe('addresses are decided by the server', () => {
  it('c2 deleted and applied: c3 keeps .4 in the record and the kernel; a hand-made change is drift with both values, and apply puts it back', async () => {
    expect((await api(srv, 'POST', `/api/labs/${id}/apply`, {})).json.ok).toBe(true);
    expect(kernelAddress('c3', 'vlan10')).toEqual(['10.0.10.4/24']);

    const current = (await api(srv, 'GET', `/api/designs/${id}`)).json;
    const { c2: _gone, ...nodes } = current.doc.nodes;
    const links = current.doc.links.filter((l: { endpoints: string[] }) => l.endpoints[0] !== 'c2');
    const put = await api(srv, 'PUT', `/api/designs/${id}`, {
      baseVersion: current.version,
      doc: { ...current.doc, nodes, links },
    });
    expect(put.status, put.text).toBe(200);
    expect((await api(srv, 'POST', `/api/labs/${id}/apply`, {})).json.ok).toBe(true);
    const stored = (await api(srv, 'GET', `/api/designs/${id}`)).json;
    expect(stored.addresses['c3/vlan10']).toBe('10.0.10.4/24');
    expect(kernelAddress('c3', 'vlan10')).toEqual(['10.0.10.4/24']);

    // Changed by hand: the record stays the authority; status names both values.
    ip('-n', `nc-${lab}.c3`, 'addr', 'del', '10.0.10.4/24', 'dev', 'vlan10');
    ip('-n', `nc-${lab}.c3`, 'addr', 'add', '10.0.10.9/24', 'dev', 'vlan10');
    const status = (await api(srv, 'GET', `/api/labs/${id}/status`)).json;
    // (Deleting the address took c3's default route with it: also drift.)
    expect(status.elements.c3).toEqual({
      state: 'drift',
      differences: [
        'vlan10 has 10.0.10.9/24 in the kernel; the design says 10.0.10.4/24',
        'missing: route to default via 10.0.10.1',
      ],
    });
    const fixed = await api(srv, 'POST', `/api/labs/${id}/apply`, {});
    expect(fixed.json.ok, JSON.stringify(fixed.json.failure)).toBe(true);
    expect(kernelAddress('c3', 'vlan10')).toEqual(['10.0.10.4/24']);
  });
});

describe('the record of a design whose lab is not the name it asks for', () => {
  it('reaches that lab: c2 deleted before the first deploy, c3 gets the record’s .4 there', async () => {
    const twin = srv.store.create(threeOnOneVlan);
    expect(twin.lab).toBe(`${lab}-2`);
    const removed = await api(srv, 'POST', `/api/designs/${twin.id}/ops`, {
      baseVersion: twin.version,
      ref: 'test:1',
      ops: [{ op: 'node.remove', id: 'c2' }],
    });
    expect(removed.status, removed.text).toBe(200);
    // A fresh allocation would give c3 .3; the record kept .4.
    expect(srv.store.get(twin.id).addresses).toMatchObject({ 'c3/vlan10': '10.0.10.4/24' });
    try {
      const applied = await api(srv, 'POST', `/api/labs/${twin.id}/apply`, {});
      expect(applied.json.ok, applied.text).toBe(true);
      const [link] = JSON.parse(
        ip('-n', `nc-${lab}-2.c3`, '-j', 'addr', 'show', 'dev', 'vlan10'),
      ) as { addr_info: { family: string; local: string; prefixlen: number }[] }[];
      expect(link!.addr_info.filter((a) => a.family === 'inet').map((a) => a.local)).toEqual([
        '10.0.10.4',
      ]);
      const status = await api(srv, 'GET', `/api/labs/${twin.id}/status`);
      expect(status.json).toMatchObject({ lab: `${lab}-2`, state: 'running' });
      const plan = await api(srv, 'POST', `/api/labs/${twin.id}/plan`, {});
      expect(plan.json.ops).toEqual([]);
    } finally {
      await srv.engine.destroy(`${lab}-2`);
      expect(readdirSync('/run/netns').filter((n) => n.startsWith(`nc-${lab}-2`))).toEqual([]);
    }
  });
});

describe('cut and restore', () => {
  it('change only that link in the kernel, with an unrelated edit pending; the design records the cut as one op', async () => {
    expect((await api(srv, 'POST', `/api/labs/${id}/apply`, {})).json.ok).toBe(true);
    const s = await TestSocket.open(srv);
    s.send({ type: 'subscribe', topic: { design: id } });
    await s.next((m) => m.type === 'snapshot');

    // A pending edit: r9, saved but not applied.
    const pending = await api(srv, 'PUT', `/api/designs/${id}`, {
      baseVersion: 1,
      doc: { ...threeOnOneVlan, nodes: { ...threeOnOneVlan.nodes, r9: { kind: 'router' } } },
    });
    expect(pending.status).toBe(200);

    const cut = await api(srv, 'POST', `/api/labs/${id}/links/c1--vlan10/state`, { state: 'down' });
    expect(cut.json, cut.text).toMatchObject({ kernel: true, state: 'down' });
    expect(operstate('c1', 'vlan10')).toBe('down');
    expect(labNetns()).not.toContain(`nc-${lab}.r9`);
    const recorded = await s.next(
      (m) => m.type === 'delta' && m.event.kind === 'design' && m.event.version === 3,
    );
    expect(recorded).toMatchObject({
      event: {
        by: null,
        ops: [{ op: 'link.set', id: 'c1--vlan10', field: 'state', value: 'down' }],
      },
    });
    const doc = srv.store.get(id).doc;
    expect(doc.nodes.r9).toBeDefined();
    expect(doc.links[1]).toMatchObject({ state: 'down' });

    const restore = await api(srv, 'POST', `/api/labs/${id}/links/c1--vlan10/state`, {
      state: 'up',
    });
    expect(restore.json).toMatchObject({ kernel: true });
    expect(operstate('c1', 'vlan10')).toBe('up');
    expect(labNetns()).not.toContain(`nc-${lab}.r9`);
    s.close();
  });
});
