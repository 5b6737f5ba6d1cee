import { EVENT_SEVERITY } from '../../contracts/index.js';
import { telemetryMeasurement } from '../../devices/index.js';
import type { RegisteredDevice } from '../../site/index.js';
import type { ValidReading } from '../validation/validate-message.js';
import { floatField, intField, stringField, type FieldValue, type Point } from './point.js';

/**
 * Validated readings → InfluxDB points (docs/architecture.md, "InfluxDB schema"). Tags are ids
 * only (bounded cardinality); the `type` tag of events comes from a closed enum.
 * A replayed message maps to the same measurement, tags and timestamp, so writing
 * it again overwrites instead of duplicating.
 */
export function toPoints(reading: ValidReading): Point[] {
  return [toPoint(reading)];
}

/** Every reading is exactly one point. */
export function toPoint(reading: ValidReading): Point {
  switch (reading.kind) {
    case 'telemetry': {
      const fields: Record<string, FieldValue> = {};
      for (const [name, value] of Object.entries(reading.message.values)) fields[name] = floatField(value);
      fields.seq = intField(reading.message.seq);
      return {
        measurement: telemetryMeasurement(reading.device.profile),
        tags: deviceTags(reading.site, reading.gateway, reading.device),
        fields,
        timestampMs: reading.message.ts,
      };
    }
    case 'event': {
      const { message } = reading;
      return {
        measurement: 'safety_event',
        tags: { ...deviceTags(reading.site, reading.gateway, reading.device), type: message.type },
        fields: {
          seq: intField(message.seq),
          severity: stringField(EVENT_SEVERITY[message.type]),
          data_json: stringField(JSON.stringify(message.data ?? {})),
        },
        timestampMs: message.ts,
      };
    }
    case 'status': {
      const { message } = reading;
      const fields: Record<string, FieldValue> = {
        state: stringField(message.state),
        online: intField(message.state === 'online' ? 1 : 0),
        version: stringField(message.version),
      };
      if (message.uptime_s !== undefined) fields.uptime_s = floatField(message.uptime_s);
      if (message.buffer_depth !== undefined) fields.buffer_depth = intField(message.buffer_depth);
      if (message.reason !== undefined) fields.reason = stringField(message.reason);
      return {
        measurement: 'device_status',
        tags: { site: reading.site, gateway: reading.gateway },
        fields,
        timestampMs: message.ts,
      };
    }
    case 'health': {
      const { message } = reading;
      const fields: Record<string, FieldValue> = {
        cpu_pct: floatField(message.cpu_pct),
        memory_rss_bytes: intField(message.memory_rss_bytes),
        buffer_depth: intField(message.buffer_depth),
        uptime_s: floatField(message.uptime_s),
        poll_ok_count: intField(message.poll_ok_count),
        poll_error_count: intField(message.poll_error_count),
        devices_online: intField(message.devices_online),
        devices_offline: intField(message.devices_offline),
      };
      if (message.disk_free_bytes !== undefined) fields.disk_free_bytes = intField(message.disk_free_bytes);
      return {
        measurement: 'gateway_health',
        tags: { site: reading.site, gateway: reading.gateway },
        fields,
        timestampMs: message.ts,
      };
    }
  }
}

/** The tags of every point of a device. */
export function deviceTags(
  site: string,
  gateway: string,
  registered: RegisteredDevice,
): Record<string, string> {
  return {
    site,
    zone: registered.device.zone,
    building: registered.device.building,
    device: registered.device.id,
    model: registered.profile.id,
    gateway,
  };
}
