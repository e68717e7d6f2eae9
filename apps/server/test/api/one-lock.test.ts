/**
 * The API takes the engine's one per-lab lock: a lab another process is
 * changing (a `netcanvas up` in another shell holds its lock file) is not
 * adopted, nor its design deleted, until that change ends.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Design } from '@netcanvas/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabEngine, LabState } from '../../src/lab/index.js';
import { MemoryKernel } from '../lab/memory-kernel.js';
import { api, design, startTestServer, type TestServer } from './helpers.js';

let srv: TestServer;
let engine: LabEngine;
let stateDir: string;
beforeEach(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'nc-one-lock-'));
  engine = new LabEngine(new MemoryKernel(), new LabState(stateDir));
  srv = await startTestServer({ engine });
});
afterEach(async () => {
  await srv.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** What `netcanvas up` leaves while it runs: the lab's lock file, naming a live process (our parent). */
function changingElsewhere(lab: string): () => void {
  const file = join(stateDir, 'labs', `${lab}.lock`);
  mkdirSync(join(stateDir, 'labs'), { recursive: true });
  writeFileSync(file, String(process.ppid));
  return () => rmSync(file);
}

describe('one lock', () => {
  it('a design whose lab another process is changing is not deleted (409 lab-busy), and is once it is done', async () => {
    const created = await api(srv, 'POST', '/api/designs', { doc: design('t-lock-del') });
    expect(created.status).toBe(201);
    const done = changingElsewhere(created.json.lab);
    const refused = await api(srv, 'DELETE', `/api/designs/${created.json.id}`);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: 'lab-busy' });
    expect((await api(srv, 'GET', `/api/designs/${created.json.id}`)).status).toBe(200);
    done();
    expect((await api(srv, 'DELETE', `/api/designs/${created.json.id}`)).status).toBe(204);
  });

  it('a CLI lab that `up` is changing is not adopted meanwhile (409 lab-busy)', async () => {
    const lab = 't-lock-adopt';
    engine.owners.claim(lab, { kind: 'cli' });
    expect((await engine.apply(design(lab) as unknown as Design)).ok).toBe(true);
    const done = changingElsewhere(lab);
    const refused = await api(srv, 'POST', `/api/labs/by-name/${lab}/adopt`, {});
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: 'lab-busy' });
    done();
    const adopted = await api(srv, 'POST', `/api/labs/by-name/${lab}/adopt`, {});
    expect(adopted.status).toBe(201);
    expect(adopted.json.lab).toBe(lab);
  });
});
