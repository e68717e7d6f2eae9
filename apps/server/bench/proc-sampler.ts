/**
 * Peak processes and descriptors under a process (this one unless told)
 * while something runs: a worker thread walks /proc/<pid>/task/<tid>/children from it
 * down every `everyMs` and counts the live descendants and the descriptors
 * open in this process and in each of them. A thread of its own, so a busy
 * event loop does not stop it; a process that lives less than `everyMs` may
 * be missed (the counts are a lower bound of the true peak).
 *
 *   const s = startSampler();
 *   await work();
 *   const { children, descriptors } = await s.stop();
 */
import { Worker } from 'node:worker_threads';

const CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const root = workerData.root;
let peak = { children: 0, descriptors: 0 };
let stop = false;
parentPort.on('message', () => { stop = true; });
function kids(pid) {
  const out = [];
  let tasks = [];
  try { tasks = fs.readdirSync('/proc/' + pid + '/task'); } catch { return out; }
  for (const t of tasks) {
    try {
      const text = fs.readFileSync('/proc/' + pid + '/task/' + t + '/children', 'utf8').trim();
      if (text) for (const c of text.split(' ')) out.push(Number(c));
    } catch {}
  }
  return out;
}
function fds(pid) {
  try { return fs.readdirSync('/proc/' + pid + '/fd').length; } catch { return 0; }
}
function sample() {
  let children = 0;
  let descriptors = fds(root);
  const stack = kids(root);
  while (stack.length > 0) {
    const p = stack.pop();
    children += 1;
    descriptors += fds(p);
    stack.push(...kids(p));
  }
  if (children > peak.children) peak.children = children;
  if (descriptors > peak.descriptors) peak.descriptors = descriptors;
}
(function loop() {
  sample();
  if (stop) { parentPort.postMessage(peak); return; }
  setTimeout(loop, workerData.everyMs);
})();
`;

export interface Peak {
  /** Most live descendant processes seen at once. */
  children: number;
  /** Most descriptors open at once in this process and its descendants together. */
  descriptors: number;
}

export function startSampler(everyMs = 2, root = process.pid): { stop(): Promise<Peak> } {
  const worker = new Worker(CODE, { eval: true, workerData: { root, everyMs } });
  return {
    stop: () =>
      new Promise<Peak>((resolve, reject) => {
        worker.once('message', (peak: Peak) => {
          void worker.terminate();
          resolve(peak);
        });
        worker.once('error', reject);
        worker.postMessage('stop');
      }),
  };
}
