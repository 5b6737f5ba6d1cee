export * from './enrolled-overlay.js';
export * from './enrol-device.js';
export * from './enrolment-token.js';
