export * from './logger.js';
export * from './errors.js';
export * from './config.js';
export * from './service-http.js';
export * from './lifecycle.js';
export * from './secret-scrub.js';
export * from './mqtt-failover.js';
export * from './project-files.js';
