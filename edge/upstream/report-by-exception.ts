import { DEVICE_STATE_EVENTS, type EventType } from '../../contracts/index.js';
import { fieldResolutions, findProfile, profileDeadbands, resolutionWithin } from '../../devices/index.js';
import type { EdgeConfig } from '../config/edge-config-schema.js';
import type { EdgeMetrics } from '../metrics.js';
import type { CanonicalSink, EventData } from './canonical-publisher.js';

/** How one polled device reports: every field at least this often, and in between what moved past its deadband. */
export interface ReportingRule {
  maxIntervalMs: number;
  /** Field → deadband in the field's unit; a field not listed is sent on any change. */
  deadbands: Readonly<Record<string, number>>;
  /** Field → the power of ten its value travels rounded to; a field not listed goes as read. */
  resolutions: Readonly<Record<string, number>>;
}

/** The rules of every polled device with a `maxIntervalS`: the profile's deadbands, overridden by the device's. */
export function reportingRules(config: EdgeConfig): Map<string, ReportingRule> {
  const rules = new Map<string, ReportingRule>();
  for (const bus of config.modbus.buses) {
    for (const device of bus.devices) {
      if (device.maxIntervalS === undefined) continue;
      const profile = findProfile(device.profile);
      const resolutions = profile ? fieldResolutions(profile) : {};
      // A site's deadband narrower than the profile's narrows the rounding with it.
      for (const [field, deadband] of Object.entries(device.deadbands ?? {})) {
        const within = resolutionWithin(deadband);
        const declared = resolutions[field];
        if (within === undefined) delete resolutions[field];
        else if (declared !== undefined && declared > within) resolutions[field] = within;
      }
      rules.set(device.id, {
        maxIntervalMs: device.maxIntervalS * 1000,
        deadbands: { ...(profile ? profileDeadbands(profile) : {}), ...device.deadbands },
        resolutions,
      });
    }
  }
  return rules;
}

interface LastSent {
  /** Each field's value as last sent. */
  values: Record<string, number>;
  /** When every field was last sent together (the heartbeat). */
  allAt: number;
}

/**
 * Report by exception, between the pollers and the publisher: a device's reading goes on
 * with only the fields that moved past their deadband since the value last sent (no
 * message at all when none did), and whole once its maximum interval has passed since it
 * last went whole. The first reading after a start, and after the device went offline,
 * answered badly or came back, goes whole. So the platform always holds every field
 * within its deadband of the meter, at most one maximum interval old; what is held back
 * never takes a seq, so ingest's gap count still means loss. Values travel rounded to
 * their field's resolution (at most a twentieth of the deadband unless the profile
 * declares one, at most half of it), and the deadband is judged on the rounded values.
 * Events pass unchanged.
 */
export class ReportByException implements CanonicalSink {
  private readonly sent = new Map<string, LastSent>();

  constructor(
    private readonly sink: CanonicalSink,
    private readonly rules: ReadonlyMap<string, ReportingRule>,
    private readonly metrics?: Pick<EdgeMetrics, 'valuesReportedTotal'>,
  ) {}

  telemetry(device: string, read: Record<string, number>, ts = Date.now()): void {
    const rule = this.rules.get(device);
    if (!rule) return this.sink.telemetry(device, read, ts);
    const values = roundToResolutions(read, rule.resolutions);
    const fields = Object.keys(values).length;
    const last = this.sent.get(device);
    if (!last || ts - last.allAt >= rule.maxIntervalMs || ts < last.allAt) {
      this.sent.set(device, { values: { ...values }, allAt: ts });
      this.count('sent', fields);
      return this.sink.telemetry(device, values, ts);
    }
    const moved: Record<string, number> = {};
    let count = 0;
    for (const [field, value] of Object.entries(values)) {
      const previous = last.values[field];
      if (previous !== undefined && !(Math.abs(value - previous) > (rule.deadbands[field] ?? 0))) continue;
      moved[field] = value;
      last.values[field] = value;
      count++;
    }
    this.count('sent', count);
    this.count('held', fields - count);
    if (count > 0) this.sink.telemetry(device, moved, ts);
  }

  event(device: string, type: EventType, data?: EventData, ts?: number): void {
    if ((DEVICE_STATE_EVENTS as readonly string[]).includes(type)) this.sent.delete(device);
    this.sink.event(device, type, data, ts);
  }

  private count(outcome: 'sent' | 'held', n: number): void {
    if (n > 0) this.metrics?.valuesReportedTotal.inc({ outcome }, n);
  }
}

/**
 * Each value rounded to its field's resolution (a power of ten): what a gateway sends of
 * 229.73455810546875 V with a 2 V deadband is 229.7. Decimal steps go through `toFixed`,
 * so the JSON holds no 0.30000000000000004.
 */
export function roundToResolutions(
  values: Readonly<Record<string, number>>,
  resolutions: Readonly<Record<string, number>>,
): Record<string, number> {
  const rounded: Record<string, number> = {};
  for (const [field, value] of Object.entries(values)) {
    const step = resolutions[field];
    if (step === undefined) {
      rounded[field] = value;
      continue;
    }
    const decimals = Math.max(0, -Math.round(Math.log10(step)));
    rounded[field] = Number((Math.round(value / step) * step).toFixed(decimals));
  }
  return rounded;
}
