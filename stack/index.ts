export * from './free-port.js';
export * from './wait.js';
export * from './managed-influxd.js';
