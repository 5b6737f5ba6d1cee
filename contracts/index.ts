export * from './ids.js';
export * from './topics.js';
export * from './events.js';
export * from './messages.js';
export * from './clock-policy.js';
export * from './batch-encoding.js';
export * from './reading-values.js';
