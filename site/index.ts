export * from './site-schema.js';
export * from './site-registry.js';
export * from './metering-schema.js';
export * from './enrolment/index.js';
export * from './report-by-exception.js';
