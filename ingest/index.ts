export { ingestConfigSchema, INGEST_ENV_MAP, loadIngestConfig, type IngestConfig } from './config.js';
export { IngestService, type IngestServiceOptions } from './ingest-service.js';
export { createIngest, startIngest } from './start-ingest.js';
export { INGEST_PROCESS_ENV, INGEST_YOUNG_GENERATION_MB } from './process-env.js';
export { toPoint, toPoints } from './influx/map-points.js';
export { telemetryLine } from './influx/telemetry-line.js';
export {
  toLineProtocol,
  escapeKey,
  escapeMeasurement,
  quoteString,
  unstorableNameReason,
} from './influx/line-protocol.js';
export type { Point, FieldValue } from './influx/point.js';
export { InfluxWriteError, type PointWriter, type WriteFailureKind } from './influx/point-writer.js';
export { V1PointWriter, type V1WriterOptions } from './influx/v1-writer.js';
export { V2PointWriter, type V2WriterOptions } from './influx/v2-writer.js';
export { AutoPointWriter, type AutoWriterOptions } from './influx/auto-writer.js';
export {
  selectWriteApi,
  parseVersion,
  detectServerVersion,
  type WriteApiChoice,
} from './influx/server-version.js';
export {
  validateMessage,
  validateMessageWithZod,
  type ValidReading,
  type ValidationOutcome,
  type ValidationContext,
} from './validation/validate-message.js';
export { SiteDirectory } from './validation/site-directory.js';
export type { Rejection, IngestRejectionCode } from './validation/rejection.js';
export { partitionOf, sitesOfPartition, type SitePartition } from './site-partition.js';
export { registerFeedbackRoute, registerEnrolmentRoutes } from './enrolment/enrolment-routes.js';
export { RejectionBoard, type GatewayRejection } from './enrolment/rejection-board.js';
