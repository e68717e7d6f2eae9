/**
 * The kernel layer: the only code in netcanvas that starts processes.
 * Each module documents its API at the top; this file only gathers them.
 */
export { capabilities, probeCapabilities, findTool } from './caps.js';
export { readCounters, type IfaceCounters } from './counters.js';
export { exec, ExecError, type ExecOptions, type ExecResult } from './exec.js';
export { LinkMonitor, type LinkEvent, type LinkMonitorOptions } from './monitor.js';
export { assertBatchArg, assertLabName, fabricNetns, labOfNetns, ownedBy } from './names.js';
export { deleteNetns, labNetns, listLabs, listNetns, type DeleteResult } from './netns.js';
export { observe, sharedRunner } from './observe.js';
export { QueryError, Runner, type BatchLine, type LineStatus, type RunProgress, type RunResult, type RunnerOptions } from './runner.js';
export type { Tool } from './worker.js';
