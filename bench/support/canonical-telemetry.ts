import { topics } from '../../contracts/index.js';
import { profileFields } from '../../devices/index.js';
import { toLineProtocol, toPoints } from '../../ingest/index.js';
import { SiteRegistry, DEMO_SITE_FILE, type RegisteredDevice } from '../../site/index.js';
import { BENCH_GATEWAY, BENCH_SITE } from './bench-credentials.js';

export interface BenchMessage {
  topic: string;
  payload: Buffer;
  /** InfluxDB points this message becomes. */
  points: number;
}

interface PolledDevice {
  registered: RegisteredDevice;
  fields: string[];
}

/**
 * Canonical telemetry of the demo site's polled meters on gw-center, as the gateway
 * publishes it: every valid field of each device's profile. Reading k of a device
 * has seq k and timestamp `baseTs + k` ms, so every reading is a distinct InfluxDB
 * point and a run owns the time range [baseTs, baseTs + readings per device).
 */
export class CanonicalTelemetry {
  readonly devices: PolledDevice[];
  private readonly registry = SiteRegistry.fromFile(DEMO_SITE_FILE);
  private next = 0;

  /** `sites`: copies of the demo site's gateway under these site ids, taken in turn (ceiling lines use the first). */
  constructor(
    readonly baseTs: number,
    readonly sites: readonly string[] = [BENCH_SITE],
  ) {
    this.devices = this.registry
      .devicesOfGateway(BENCH_GATEWAY)
      .filter((d) => d.profile.protocol !== 'mqtt')
      .map((registered) => ({ registered, fields: profileFields(registered.profile) }));
  }

  /** One reading's values: plausible, varying numbers (the storage cost depends on them a little). */
  private values(device: PolledDevice, k: number): Record<string, number> {
    const values: Record<string, number> = {};
    device.fields.forEach(
      (field, i) => (values[field] = Math.round((100 + i * 7 + (k % 97) * 0.37) * 1000) / 1000),
    );
    return values;
  }

  /** Message number `n` of the per-device form (`topics.telemetry`). */
  telemetry(): BenchMessage {
    const n = this.next++;
    const site = this.sites[n % this.sites.length] as string;
    const m = Math.floor(n / this.sites.length);
    const device = this.devices[m % this.devices.length] as PolledDevice;
    const k = Math.floor(m / this.devices.length);
    const payload = { ts: this.baseTs + k, seq: k, values: this.values(device, k) };
    return {
      topic: topics.telemetry(site, BENCH_GATEWAY, device.registered.device.id),
      payload: Buffer.from(JSON.stringify(payload)),
      points: 1,
    };
  }

  /** One poll cycle of every device of one site in one message (`topics.batch`). */
  batch(): BenchMessage {
    const n = this.next++;
    const site = this.sites[n % this.sites.length] as string;
    const k = Math.floor(n / this.sites.length);
    const ts = this.baseTs + k;
    const telemetry = this.devices.map((device) => ({
      device: device.registered.device.id,
      ts,
      seq: k,
      values: this.values(device, k),
    }));
    return {
      topic: topics.batch(site, BENCH_GATEWAY),
      payload: Buffer.from(JSON.stringify({ ts, telemetry })),
      points: telemetry.length,
    };
  }

  /**
   * The same line as {@link line}, built from a cached measurement-and-tags prefix so
   * the storage ceiling's load generator costs InfluxDB's box as little CPU as possible.
   */
  fastLine(n: number): string {
    const index = n % this.devices.length;
    const device = this.devices[index] as PolledDevice;
    const k = Math.floor(n / this.devices.length);
    let prefix = this.prefixes[index];
    if (prefix === undefined) {
      const sample = this.line(index);
      prefix = sample.slice(0, sample.indexOf(' '));
      this.prefixes[index] = prefix;
    }
    let fields = '';
    device.fields.forEach(
      (field, i) => (fields += `${field}=${Math.round((100 + i * 7 + (k % 97) * 0.37) * 1000) / 1000},`),
    );
    return `${prefix} ${fields}seq=${k}i ${this.baseTs + k}`;
  }

  private readonly prefixes: string[] = [];

  /** The line protocol ingest writes for per-device message `n` (same measurement, tags and fields). */
  line(n: number): string {
    const device = this.devices[n % this.devices.length] as PolledDevice;
    const k = Math.floor(n / this.devices.length);
    const [point] = toPoints({
      kind: 'telemetry',
      site: BENCH_SITE,
      gateway: BENCH_GATEWAY,
      device: device.registered,
      message: { ts: this.baseTs + k, seq: k, values: this.values(device, k) },
    });
    return toLineProtocol(point as NonNullable<typeof point>);
  }
}
