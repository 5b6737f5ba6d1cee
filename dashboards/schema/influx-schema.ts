// The InfluxDB schema belongs to storage/ (ingest, the roll-ups, reports and the boards share it).
export {
  INFLUX_SCHEMA,
  MEASUREMENTS,
  DEVICE_TAGS,
  ALERT_SCHEMA,
  ALERT_STATES,
  isMeasurement,
  type FieldKind,
  type MeasurementSchema,
  type MeasurementName,
} from '../../storage/index.js';
