import { createKernelPort } from './kernel-port.js';
import { LabEngine } from './lab-engine.js';
import { LabState } from './state.js';

export * from './engine.js';
export { LabEngine } from './lab-engine.js';
export { LabState } from './state.js';

/** The real engine: the lab layer on the real kernel. */
export function createEngine(opts: { stateDir?: string } = {}): LabEngine {
  return new LabEngine(createKernelPort(), new LabState(opts.stateDir));
}
