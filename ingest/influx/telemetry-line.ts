import { telemetryMeasurement, type DeviceProfile } from '../../devices/index.js';
import type { RegisteredDevice } from '../../site/index.js';
import type { ValidReading } from '../validation/validate-message.js';
import { textOf } from './encoded-lines.js';
import { LineEncoder } from './line-encoder.js';
import { fieldKey, seriesKey, toLineProtocol } from './line-protocol.js';
import { deviceTags, toPoint } from './map-points.js';

type TelemetryReading = Extract<ValidReading, { kind: 'telemetry' }>;

interface CachedSeries {
  site: string;
  gateway: string;
  /** Measurement and sorted, escaped tags, followed by the space before the fields, as UTF-8. */
  head: Buffer;
  /** The field keys of the device's profile. */
  keys: Map<string, Buffer>;
}

/** Per device: its series key never changes while its site registry lives. */
const seriesByDevice = new WeakMap<RegisteredDevice, CachedSeries>();
/** Per profile: `,escaped_key=` of each field seen, as UTF-8 (the comma is skipped before the first field). */
const fieldKeysByProfile = new WeakMap<DeviceProfile, Map<string, Buffer>>();

const SEQ_KEY = Buffer.from(',seq=');
const INT_THEN_SPACE = Buffer.from('i ');

/**
 * One telemetry reading as one line of line protocol, written into `out` from a cached
 * series key and cached field keys: byte for byte what `toLineProtocol(toPoint(reading))`
 * writes (and throws where it throws, leaving `out` to be abandoned), at a fraction of the
 * cost and without the intermediate point (`telemetry-line.unit.test.ts` compares the two).
 */
export function writeTelemetryLine(reading: TelemetryReading, out: LineEncoder): void {
  const { message } = reading;
  const { values } = message;
  // `seq` would be overwritten in place by the seq field and `__proto__` dropped by `toPoints`: both
  // are refused by validation, and left to the general path here.
  if (Object.hasOwn(values, 'seq') || Object.hasOwn(values, '__proto__')) {
    out.line(toLineProtocol(toPoint(reading)));
    return;
  }
  const { head, keys } = seriesOf(reading);
  out.bytes(head);
  // 1 (skip the comma) before the first field, 0 after it.
  let skip = 1;
  for (const name in values) {
    const value = values[name] as number;
    if (!Number.isFinite(value)) throw new Error(`float field ${value} is not finite`);
    let key = keys.get(name);
    if (key === undefined) {
      key = Buffer.from(`,${fieldKey(name)}=`);
      keys.set(name, key);
    }
    out.bytes(key, skip);
    out.ascii(String(value));
    skip = 0;
  }
  const seq = Math.trunc(message.seq);
  if (!Number.isSafeInteger(seq)) throw new Error(`int field ${seq} is not a safe integer`);
  out.bytes(SEQ_KEY, skip);
  out.ascii(String(seq));
  out.bytes(INT_THEN_SPACE);
  out.ascii(String(Math.trunc(message.ts)));
  out.endLine();
}

const scratch = new LineEncoder(1024);

/** The same line as text (tests and tools; ingest writes bytes). */
export function telemetryLine(reading: TelemetryReading): string {
  try {
    writeTelemetryLine(reading, scratch);
    return textOf(scratch.finish());
  } catch (error) {
    scratch.abandon();
    throw error;
  }
}

function seriesOf(reading: TelemetryReading): CachedSeries {
  const { site, gateway, device } = reading;
  const cached = seriesByDevice.get(device);
  if (cached && cached.site === site && cached.gateway === gateway) return cached;
  const head = Buffer.from(
    `${seriesKey(telemetryMeasurement(device.profile), deviceTags(site, gateway, device))} `,
  );
  const series = { site, gateway, head, keys: fieldKeysOf(device.profile) };
  seriesByDevice.set(device, series);
  return series;
}

function fieldKeysOf(profile: DeviceProfile): Map<string, Buffer> {
  let keys = fieldKeysByProfile.get(profile);
  if (!keys) {
    keys = new Map();
    fieldKeysByProfile.set(profile, keys);
  }
  return keys;
}
