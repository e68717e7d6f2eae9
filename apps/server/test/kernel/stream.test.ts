/**
 * streamLines with real processes (no kernel changes): lines arrive while
 * the program still runs, and every bound ends the program.
 */
import { describe, expect, it } from 'vitest';
import { streamLines } from '../../src/kernel/stream.js';

const node = (code: string) => [process.execPath, '-e', code];

describe('streamLines', () => {
  it('hands over a line while the program is still running', async () => {
    const seen: string[] = [];
    let settled = false;
    let firstLine!: () => void;
    const first = new Promise<void>((r) => {
      firstLine = r;
    });
    // The program, not the test, waits: its second line comes 1.5 s after the first.
    const run = streamLines(
      node("console.log('first'); setTimeout(() => console.log('second'), 1500)"),
      {
        onLine: (l) => {
          seen.push(l);
          firstLine();
        },
        timeoutMs: 10_000,
      },
    );
    void run.done.then(() => {
      settled = true;
    });
    await first;
    expect(seen).toEqual(['first']);
    expect(settled).toBe(false);
    const r = await run.done;
    expect(seen).toEqual(['first', 'second']);
    expect(r).toMatchObject({ ended: 'exit', exitCode: 0, lines: 2 });
  });

  it('stops the program after maxLines and delivers no more', async () => {
    const seen: string[] = [];
    const r = await streamLines(node('for (let i = 0; ; i++) console.log(i)'), {
      onLine: (l) => seen.push(l),
      maxLines: 10,
    }).done;
    expect(seen).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(r.ended).toBe('lines');
    expect(r.signal).toBe('SIGTERM');
  });

  it('stops an endless line at maxBytes', async () => {
    const seen: string[] = [];
    const r = await streamLines(['cat', '/dev/zero'], {
      onLine: (l) => seen.push(l),
      maxBytes: 1024 * 1024,
    }).done;
    expect(r.ended).toBe('bytes');
    expect(seen).toEqual([]);
  });

  it('stops a silent program at the timeout, and on stop()', async () => {
    const t0 = performance.now();
    const timedOut = await streamLines(['sleep', '30'], { onLine: () => {}, timeoutMs: 300 }).done;
    expect(timedOut).toMatchObject({ ended: 'timeout', signal: 'SIGTERM' });
    expect(performance.now() - t0).toBeLessThan(5000);

    // Stopped once it runs (its first line says so).
    const run = streamLines(node("console.log('ready'); setInterval(() => {}, 1000)"), {
      onLine: () => run.stop(),
      stopSignal: 'SIGINT',
    });
    expect(await run.done).toMatchObject({ ended: 'stopped', signal: 'SIGINT' });
  });

  it('escalates to SIGKILL when the program ignores the stop signal', async () => {
    const run = streamLines(
      node("process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"),
      { onLine: () => run.stop(), killAfterMs: 300 },
    );
    expect(await run.done).toMatchObject({ ended: 'stopped', signal: 'SIGKILL' });
  });

  it('reports a program that cannot start without throwing', async () => {
    const r = await streamLines(['/nonexistent/netcanvas-tool'], { onLine: () => {} }).done;
    expect(r.ended).toBe('spawn-error');
    expect(r.stderr).toMatch(/ENOENT/);
  });
});
