/**
 * The ping helper (kernel/ping-helper.py) runs as root and starts processes: it refuses
 * anything but a namespace name and fping's options, numbers and IPv4 addresses, and says
 * why, without starting anything.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../src/kernel/ping-helper.py', import.meta.url));

async function ask(requests: unknown[]): Promise<Record<string, unknown>[]> {
  const child = spawn('/usr/bin/python3', ['-I', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const answers: Record<string, unknown>[] = [];
  lines.on('line', (l) => answers.push(JSON.parse(l) as Record<string, unknown>));
  for (const r of requests) child.stdin.write(`${JSON.stringify(r)}\n`);
  child.stdin.end();
  await new Promise((done) => child.on('close', done));
  return answers;
}

describe.runIf(existsSync('/usr/bin/python3') && existsSync('/usr/bin/fping'))(
  'ping helper',
  () => {
    it('refuses a bad namespace, a foreign argument or timeout, and says why', async () => {
      const answers = await ask([
        { id: 1, netns: '../etc', args: ['-e', '10.0.0.1'], timeoutMs: 1000 },
        { id: 2, netns: 'nc-x.a', args: ['-e', '/bin/sh'], timeoutMs: 1000 },
        { id: 3, netns: 'nc-x.a', args: ['-e', '10.0.0.1; reboot'], timeoutMs: 1000 },
        { id: 4, netns: 'nc-x.a', args: ['-e', '10.0.0.1'], timeoutMs: 10_000_000 },
        { id: 5, netns: 'nc-x.a', args: [], timeoutMs: 1000 },
        { netns: 'nc-x.a', args: ['-e'], timeoutMs: 1000 },
      ]);
      expect(answers[0]).toEqual({ ready: true });
      const byId = new Map(answers.slice(1).map((a) => [a.id, a]));
      expect(byId.get(1)).toMatchObject({ ok: false, error: 'invalid namespace name "../etc"' });
      expect(byId.get(2)).toMatchObject({ ok: false, error: 'not an fping argument: "/bin/sh"' });
      expect(byId.get(3)).toMatchObject({ ok: false, error: expect.stringContaining('reboot') });
      expect(byId.get(4)).toMatchObject({ ok: false, error: expect.stringContaining('timeoutMs') });
      expect(byId.get(5)).toMatchObject({ ok: false, error: expect.stringContaining('args') });
      expect(byId.get(null)).toMatchObject({ ok: false, error: 'a request needs a numeric id' });
    });
  },
);
