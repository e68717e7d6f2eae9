/**
 * The kernel layer: the only code in netcanvas that starts processes.
 * Each module documents its API at the top; this file only gathers them.
 */
export { capabilities, findTool, probeCapabilities } from './caps.js';
export { type IfaceCounters, readCounters } from './counters.js';
export { ExecError, type ExecOptions, type ExecResult, exec } from './exec.js';
export { type LinkEvent, LinkMonitor, type LinkMonitorOptions } from './monitor.js';
export { assertBatchArg, assertLabName, fabricNetns, labOfNetns, ownedBy } from './names.js';
export { type DeleteResult, deleteNetns, labNetns, listLabs, listNetns } from './netns.js';
export { observe, sharedRunner } from './observe.js';
export {
  type BatchLine,
  type LineStatus,
  QueryError,
  Runner,
  type RunnerOptions,
  type RunProgress,
  type RunResult,
} from './runner.js';
export {
  type StreamEnd,
  type StreamHandle,
  type StreamOptions,
  type StreamResult,
  streamLines,
} from './stream.js';
export type { Tool } from './worker.js';
