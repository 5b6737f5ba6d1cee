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

/** Readings' values repeat with this period, so a point's fields can be cached by `k % VALUE_CYCLE`. */
const VALUE_CYCLE = 97;

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
      (field, i) => (values[field] = Math.round((100 + i * 7 + (k % VALUE_CYCLE) * 0.37) * 1000) / 1000),
    );
    return values;
  }

  /** Message number `n` of the per-device form (`topics.telemetry`). */
  telemetry(): BenchMessage {
    const n = this.next++;
    const site = this.sites[n % this.sites.length] as string;
    const m = Math.floor(n / this.sites.length);
    const index = m % this.devices.length;
    const device = this.devices[index] as PolledDevice;
    const k = Math.floor(m / this.devices.length);
    const payload = `{"ts":${this.baseTs + k},"seq":${k},"values":${this.valuesJson(index, k)}}`;
    return {
      topic: topics.telemetry(site, BENCH_GATEWAY, device.registered.device.id),
      payload: Buffer.from(payload),
      points: 1,
    };
  }

  /** One poll cycle of every device of one site in one message (`topics.batch`). */
  batch(): BenchMessage {
    const n = this.next++;
    const site = this.sites[n % this.sites.length] as string;
    const k = Math.floor(n / this.sites.length);
    const ts = this.baseTs + k;
    let items = '';
    for (let index = 0; index < this.devices.length; index++) {
      const id = (this.devices[index] as PolledDevice).registered.device.id;
      items += `${index === 0 ? '' : ','}{"device":"${id}","ts":${ts},"seq":${k},"values":${this.valuesJson(index, k)}}`;
    }
    return {
      topic: topics.batch(site, BENCH_GATEWAY),
      payload: Buffer.from(`{"ts":${ts},"telemetry":[${items}]}`),
      points: this.devices.length,
    };
  }

  /**
   * What the load generators build per device, kept per value cycle (`k % VALUE_CYCLE`): they
   * share the box with what they measure, so they should spend as little as they can.
   */
  private readonly cache: { prefix?: string; valuesJson: string[]; fieldSets: string[] }[] = [];

  private cacheOf(index: number): (typeof this.cache)[number] {
    return (this.cache[index] ??= { valuesJson: [], fieldSets: [] });
  }

  /**
   * `JSON.stringify` of reading `k`'s values. Ids are `[a-z0-9-]` and field names
   * snake_case, so neither needs escaping in JSON.
   */
  private valuesJson(index: number, k: number): string {
    const device = this.devices[index] as PolledDevice;
    return (this.cacheOf(index).valuesJson[k % VALUE_CYCLE] ??= JSON.stringify(this.values(device, k)));
  }

  /**
   * The same line as {@link line}, built from cached pieces (the measurement and tags of
   * each device, the field set of each value cycle), so the storage ceiling's load
   * generator spends as little of InfluxDB's box as it can and the ceiling measures
   * influxd, not the script feeding it.
   */
  fastLine(n: number): string {
    const index = n % this.devices.length;
    const k = Math.floor(n / this.devices.length);
    const cached = this.cacheOf(index);
    const prefix = (cached.prefix ??= this.line(index).split(' ', 1)[0] as string);
    const fields = (cached.fieldSets[k % VALUE_CYCLE] ??= this.fieldSetOf(index, k));
    return `${prefix} ${fields}seq=${k}i ${this.baseTs + k}`;
  }

  /** `field=value,` for every field of reading `k` of device `index`. */
  private fieldSetOf(index: number, k: number): string {
    let fields = '';
    for (const [field, value] of Object.entries(this.values(this.devices[index] as PolledDevice, k)))
      fields += `${field}=${value},`;
    return fields;
  }

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
