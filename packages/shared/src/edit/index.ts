export * from './apply.js';
export * from './diff.js';
export * from './invert.js';
export * from './numbers.js';
export * from './ops.js';
export * from './rename.js';
export * from './same.js';
