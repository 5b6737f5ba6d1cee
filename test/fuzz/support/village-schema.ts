import {
  EVENT_TYPES,
  FIELD_NAME_PATTERN,
  healthMessageSchema,
  statusMessageSchema,
} from '../../../contracts/index.js';
import { profileFields, telemetryMeasurement } from '../../../devices/index.js';
import { DEMO_SITE_FILE, SiteRegistry } from '../../../site/index.js';
import type { ReadPoint } from './line-protocol-reader.js';

/** The village every ingest fuzzer writes for: the demo site. */
export const village = SiteRegistry.fromFile(DEMO_SITE_FILE);
export const SITE = village.siteId;
export const GATEWAY = village.site.gateways[0]?.id ?? 'gw-center';

const devices = village.all();
const set = (values: Iterable<string>) => new Set(values);

/**
 * Everything ingest may create in InfluxDB (docs/architecture.md, "InfluxDB schema"): a point
 * holding a name outside these sets means data went somewhere it should not.
 */
export const allowedSchema = {
  measurements: set(['water', 'electricity', 'safety_event', 'device_status', 'gateway_health']),
  tagKeys: set(['site', 'zone', 'building', 'device', 'model', 'gateway', 'type']),
  tagValues: {
    site: set([SITE]),
    gateway: set(village.site.gateways.map((g) => g.id)),
    device: set(devices.map((d) => d.device.id)),
    zone: set(village.site.zones.map((z) => z.id)),
    building: set(village.site.zones.flatMap((z) => z.buildings.map((b) => b.id))),
    model: set(devices.map((d) => d.profile.id)),
    type: set(EVENT_TYPES),
  } as Record<string, Set<string>>,
  fieldKeys: fieldKeysByMeasurement(),
};

function fieldKeysByMeasurement(): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  const add = (measurement: string, fields: Iterable<string>) => {
    const known = keys.get(measurement) ?? new Set<string>();
    for (const field of fields) known.add(field);
    keys.set(measurement, known);
  };
  for (const { profile } of devices) add(telemetryMeasurement(profile), [...profileFields(profile), 'seq']);
  add('safety_event', ['seq', 'severity', 'data_json']);
  add('device_status', [...Object.keys(statusMessageSchema.shape), 'online']);
  add('gateway_health', Object.keys(healthMessageSchema.shape));
  for (const fields of keys.values()) fields.delete('ts');
  return keys;
}

/** What is wrong with a point as InfluxDB would store it; empty when it fits the schema. */
export function schemaViolations(point: ReadPoint): string[] {
  const problems: string[] = [];
  if (!allowedSchema.measurements.has(point.measurement))
    problems.push(`measurement ${JSON.stringify(point.measurement)}`);
  for (const [key, value] of Object.entries(point.tags)) {
    if (!allowedSchema.tagKeys.has(key)) problems.push(`tag key ${JSON.stringify(key)}`);
    else if (!allowedSchema.tagValues[key]?.has(value)) problems.push(`tag ${key}=${JSON.stringify(value)}`);
  }
  const fields = allowedSchema.fieldKeys.get(point.measurement) ?? new Set<string>();
  for (const [key, value] of Object.entries(point.fields)) {
    if (!fields.has(key) || !FIELD_NAME_PATTERN.test(key)) problems.push(`field key ${JSON.stringify(key)}`);
    if ((value.type === 'float' || value.type === 'int') && !Number.isFinite(value.value))
      problems.push(`field ${key} is not finite`);
    if (value.type === 'int' && !Number.isSafeInteger(value.value))
      problems.push(`field ${key} is no safe int`);
  }
  return problems;
}
