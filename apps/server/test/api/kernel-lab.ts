/**
 * The set-up of the API tests on a real lab, in one place: a server wired as
 * `netcanvas serve` wires it (the real engine, the kernel's live sources: the
 * shared query runner, and the netlink helper when asked), one design stored
 * under a lab name of the test's own (`t-PREFIX-random`), and at the end the
 * lab destroyed, the server stopped, its directories removed and no
 * namespace of the lab left in /run/netns (checked). Needs root.
 *
 *   const k = kernelLab('sto', { netlink: true });
 *   it('…', async () => { await api(k.srv, 'POST', `/api/labs/${k.id}/apply`, {}); … });
 *
 * Call it at a test file's top level: it registers that file's beforeAll and afterAll.
 */
import { readdirSync, rmSync } from 'node:fs';
import pino from 'pino';
import { afterAll, beforeAll, expect } from 'vitest';
import { sharedNetlink } from '../../src/kernel/netlink.js';
import { sharedRunner } from '../../src/kernel/observe.js';
import { openAuditLog } from '../../src/lab/audit.js';
import { createEngine } from '../../src/lab/index.js';
import { createKernelSources } from '../../src/live/kernel-sources.js';
import { createLabTools } from '../../src/tools/capture.js';
import { design, startTestServer, type TestServer, tempDir } from './helpers.js';

export interface KernelLab {
  /** The lab's name (its namespaces are `nc-LAB` and `nc-LAB.*`). */
  readonly lab: string;
  /** The stored design's id (set in beforeAll). */
  readonly id: string;
  /** The server (set in beforeAll). */
  readonly srv: TestServer;
  readonly stateDir: string;
  readonly dataDir: string;
  /** The lab's names in /run/netns now. */
  labNetns(): string[];
}

export function kernelLab(
  prefix: string,
  opts: {
    /** The design stored for the lab (default: helpers' two namespaces on a VLAN). */
    design?: (lab: string) => unknown;
    /** Counters and state listings through the netlink helper, as the server does. */
    netlink?: boolean;
    /** Packet capture and traceroute (tools/capture.ts). */
    tools?: boolean;
    audit?: boolean;
  } = {},
): KernelLab {
  const lab = `t-${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  const stateDir = tempDir(`nc-${prefix}-state-`);
  const dataDir = tempDir(`nc-${prefix}-data-`);
  let srv: TestServer | undefined;
  let id: string | undefined;
  const fixture: KernelLab = {
    lab,
    stateDir,
    dataDir,
    get id() {
      if (id === undefined) throw new Error('kernelLab: the design is stored in beforeAll');
      return id;
    },
    get srv() {
      if (!srv) throw new Error('kernelLab: the server starts in beforeAll');
      return srv;
    },
    labNetns: () =>
      readdirSync('/run/netns').filter((n) => n === `nc-${lab}` || n.startsWith(`nc-${lab}.`)),
  };

  beforeAll(async () => {
    srv = await startTestServer({
      engine: createEngine({ stateDir }),
      dataDir,
      sources: createKernelSources({
        logger: pino({ level: 'silent' }),
        runner: sharedRunner(),
        ...(opts.netlink ? { netlink: sharedNetlink() } : {}),
      }),
      ...(opts.tools ? { tools: createLabTools(dataDir) } : {}),
      ...(opts.audit ? { audit: openAuditLog(stateDir) } : {}),
    });
    id = srv.store.create(
      (opts.design ?? design)(lab) as Parameters<typeof srv.store.create>[0],
    ).id;
  });

  afterAll(async () => {
    try {
      await srv?.engine.destroy(lab);
    } finally {
      await srv?.stop();
      rmSync(stateDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(fixture.labNetns()).toEqual([]);
  });

  return fixture;
}
