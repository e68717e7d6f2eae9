import { createKernelPort } from './kernel-port.js';
import { LabEngine } from './lab-engine.js';
import { LabState } from './state.js';

export * from './engine.js';
export { LabEngine } from './lab-engine.js';
export { LabState } from './state.js';

/**
 * The real engine: the lab layer on the real kernel. `kernelHelper`: when the
 * netlink helper works for it ('always', the server's; 'large-labs', the CLI's).
 */
export function createEngine(
  opts: { stateDir?: string; kernelHelper?: 'always' | 'large-labs' } = {},
): LabEngine {
  return new LabEngine(
    createKernelPort(undefined, { helper: opts.kernelHelper ?? 'always' }),
    new LabState(opts.stateDir),
  );
}
