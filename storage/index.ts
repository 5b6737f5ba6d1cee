export * from './influx-schema.js';
export * from './rollups.js';
export * from './storage-policy.js';
export * from './range-policy.js';
export { applyStoragePolicy, type AppliedStorage } from './apply-storage-policy.js';
export { backfillRollups } from './backfill.js';
export { runStatement, resultRows, type InfluxAdminTarget, type StatementResult } from './influx-admin.js';
export { CONTINUOUS_QUERY_REACH_MS, LatePoints, type TimeRange } from './late-points.js';
