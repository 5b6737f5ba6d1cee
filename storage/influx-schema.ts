import { z } from 'zod';
import { healthMessageSchema, statusMessageSchema } from '../contracts/index.js';
import { CATALOGUE, profileFields, telemetryMeasurement } from '../devices/index.js';

/**
 * The InfluxDB schema the dashboards may query, derived from the device catalogue and
 * the message contracts (docs/architecture.md, "InfluxDB schema"), so a dashboard can never name a
 * field that no device or gateway writes. Field kinds only say what an aggregate can do.
 */
export type FieldKind = 'number' | 'string';

export interface MeasurementSchema {
  readonly tags: readonly string[];
  readonly fields: Readonly<Record<string, FieldKind>>;
}

export const MEASUREMENTS = [
  'water',
  'electricity',
  'safety_event',
  'device_status',
  'gateway_health',
  'alert',
] as const;
export type MeasurementName = (typeof MEASUREMENTS)[number];

/** Tags ingest puts on every point of a site device. */
export const DEVICE_TAGS = ['site', 'zone', 'building', 'device', 'model', 'gateway'] as const;
const GATEWAY_TAGS = ['site', 'gateway'] as const;

/**
 * What the alerting service is expected to write per alert state change. Not (yet) a
 * contract in contracts/: `ack_delay_s` is this folder's proposal, written on the
 * `acknowledged` state change, because InfluxQL cannot join a firing point to its ack;
 * `message_zh` is the alert's Chinese text, which the zh boards show (`message` is English).
 */
export const ALERT_SCHEMA: MeasurementSchema = {
  tags: ['site', 'zone', 'rule', 'severity', 'state'],
  fields: {
    alert_id: 'string',
    device: 'string',
    value: 'number',
    message: 'string',
    message_zh: 'string',
    ack_delay_s: 'number',
  },
};

/** The `state` tag values of the `alert` measurement. */
export const ALERT_STATES = ['pending', 'firing', 'acknowledged', 'resolved'] as const;

function kindOf(schema: z.ZodType): FieldKind {
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  return inner instanceof z.ZodNumber ? 'number' : 'string';
}

function fieldsOfMessage(shape: Record<string, z.ZodType>): Record<string, FieldKind> {
  const fields: Record<string, FieldKind> = {};
  for (const [key, schema] of Object.entries(shape)) if (key !== 'ts') fields[key] = kindOf(schema);
  return fields;
}

function telemetryFields(measurement: MeasurementName): Record<string, FieldKind> {
  const fields: Record<string, FieldKind> = {};
  for (const profile of CATALOGUE) {
    if (telemetryMeasurement(profile) !== measurement) continue;
    for (const field of profileFields(profile)) fields[field] = 'number';
  }
  return fields;
}

function sorted(fields: Record<string, FieldKind>): Record<string, FieldKind> {
  return Object.fromEntries(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b)));
}

function deriveSchema(): Readonly<Record<MeasurementName, MeasurementSchema>> {
  return {
    water: { tags: DEVICE_TAGS, fields: sorted({ ...telemetryFields('water'), seq: 'number' }) },
    electricity: { tags: DEVICE_TAGS, fields: sorted({ ...telemetryFields('electricity'), seq: 'number' }) },
    safety_event: {
      tags: [...DEVICE_TAGS, 'type'],
      fields: { data_json: 'string', seq: 'number', severity: 'string' },
    },
    // Gateway status (tags site, gateway) and safety devices' own readings (device tags) share it.
    device_status: {
      tags: DEVICE_TAGS,
      fields: sorted({
        ...fieldsOfMessage(statusMessageSchema.shape),
        online: 'number',
        ...telemetryFields('device_status'),
        seq: 'number',
      }),
    },
    gateway_health: { tags: GATEWAY_TAGS, fields: sorted(fieldsOfMessage(healthMessageSchema.shape)) },
    alert: ALERT_SCHEMA,
  };
}

export const INFLUX_SCHEMA = deriveSchema();

export function isMeasurement(name: string): name is MeasurementName {
  return (MEASUREMENTS as readonly string[]).includes(name);
}
