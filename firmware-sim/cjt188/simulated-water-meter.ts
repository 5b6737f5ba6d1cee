import {
  CJT188_ANY_METER_TYPE,
  CJT188_DATA_IDS,
  CJT188_FUNCTION,
  CJT188_VALUE_PARTS,
  cjt188AddressMatches,
  encodeCjt188ErrorReply,
  encodeCjt188MeteringData,
  encodeCjt188ReadAddressReply,
  encodeCjt188ReadReply,
  encodeCjt188Status,
  encodeCjt188WriteAddressReply,
  isCjt188Error,
  normaliseCjt188Address,
  parseCjt188NewAddress,
  parseCjt188Request,
  type Cjt188Frame,
  type Cjt188MessageOptions,
  type Cjt188MeteringData,
  type Cjt188Profile,
  type Cjt188Request,
  type Cjt188ValveCode,
} from '../../devices/index.js';
import type { LineMeter } from '../line/meter-line.js';
import type { SerialSettings } from '../line/observed-line.js';
import type { Clock, DeviceModel, SimConditions } from '../models/conditions.js';
import type { MeterMode, ServedReading } from '../modbus/simulated-meter.js';

export interface Cjt188MeterSpec {
  /** The address printed on the meter, 14 digits (shorter numbers are zero-padded). */
  address: string;
  profile: Cjt188Profile;
  /** The value model behind the meter; its `forward_total_m3` is the meter's total. */
  model: DeviceModel;
  /** The meter's own line settings when they are not the line's (see MeterLineOptions.masterPath). */
  serial?: SerialSettings;
  /** Valve and battery as the meter reports them; open and healthy unless told. */
  status?: () => { valve: Cjt188ValveCode; batteryLow: boolean };
}

export interface Cjt188MeterEnvironment {
  clock: Clock;
  conditions(address: string): SimConditions;
  mode(address: string): MeterMode;
  /** How long a snapshot of the model's values stays current, ms. */
  refreshMs: number;
  /** `FE` bytes before each reply. */
  preambleBytes: number;
  /** The village's offset from UTC, minutes, for the meter's own clock. */
  utcOffsetMinutes: number;
}

/**
 * One CJ/T 188 water meter on a simulated line. It answers read data (901F) from a
 * snapshot of its value model, read address (to the wildcard) and write address, after
 * which it answers at the new address, as a real meter does. Garbage mode sends
 * well-framed replies whose totals are not BCD.
 */
export class SimulatedCjt188Meter implements LineMeter<Cjt188Frame> {
  private currentAddress: string;
  readonly serial: SerialSettings | undefined;
  private settlementTotalM3: number | undefined;
  private snapshot: { ts: number; data: Cjt188MeteringData } | undefined;

  constructor(
    private readonly spec: Cjt188MeterSpec,
    private readonly environment: Cjt188MeterEnvironment,
  ) {
    this.currentAddress = normaliseCjt188Address(spec.address);
    this.serial = spec.serial;
  }

  get address(): string {
    return this.currentAddress;
  }

  hears(frame: Cjt188Frame): boolean {
    const type = frame.meterType === CJT188_ANY_METER_TYPE || frame.meterType === this.spec.profile.meterType;
    return type && cjt188AddressMatches(this.currentAddress, frame.address);
  }

  /** The profile's values behind the replies most recently served. */
  lastServed(): ServedReading | undefined {
    if (!this.snapshot) return undefined;
    const { data } = this.snapshot;
    const values = Object.fromEntries(
      this.spec.profile.items.map((item) => [item.field, CJT188_VALUE_PARTS[item.part].value(data)]),
    );
    return { ts: this.snapshot.ts, values };
  }

  answer(frame: Cjt188Frame): Buffer | undefined {
    const mode = this.environment.mode(this.currentAddress);
    if (mode === 'silent') return undefined;
    const { profile } = this.spec;
    let request: Cjt188Request;
    try {
      request = parseCjt188Request(frame, profile.edition);
    } catch (error) {
      if (isCjt188Error(error)) return undefined;
      throw error;
    }
    const options: Cjt188MessageOptions = {
      edition: profile.edition,
      ser: request.ser,
      preambleBytes: this.environment.preambleBytes,
    };
    const type = profile.meterType;
    switch (request.func) {
      case CJT188_FUNCTION.readAddress:
        return encodeCjt188ReadAddressReply(type, this.currentAddress, options);
      case CJT188_FUNCTION.writeAddress:
        // Never to a wildcard: every meter on the line would take the same address.
        return frame.address.includes('AA') ? undefined : this.writeAddress(request, options);
      case CJT188_FUNCTION.readData:
        if (request.dataId !== CJT188_DATA_IDS.meteringData) {
          return encodeCjt188ErrorReply(type, this.currentAddress, request.func, this.statusWord(), options);
        }
        return encodeCjt188ReadReply(type, this.currentAddress, request.dataId, this.payload(mode), options);
      default:
        return undefined;
    }
  }

  private writeAddress(request: Cjt188Request, options: Cjt188MessageOptions): Buffer | undefined {
    let newAddress: string;
    try {
      newAddress = parseCjt188NewAddress(request);
    } catch (error) {
      if (isCjt188Error(error)) return undefined;
      throw error;
    }
    if (newAddress.includes('AA')) return undefined;
    this.currentAddress = newAddress;
    return encodeCjt188WriteAddressReply(this.spec.profile.meterType, newAddress, options);
  }

  private statusWord(): number {
    return encodeCjt188Status(this.spec.status?.() ?? { valve: 0, batteryLow: false });
  }

  private payload(mode: MeterMode): Buffer {
    const data = this.currentData();
    const payload = encodeCjt188MeteringData(data);
    if (mode === 'garbage') payload.fill(0xff, 0, 4);
    return payload;
  }

  private currentData(): Cjt188MeteringData {
    const now = this.environment.clock();
    if (this.snapshot && now - this.snapshot.ts < this.environment.refreshMs) return this.snapshot.data;
    const values = this.spec.model.read(this.environment.conditions(this.currentAddress));
    const total = Math.round((values.forward_total_m3 ?? 0) * 100) / 100;
    // The last settlement day's total: what the meter read when it was installed here.
    this.settlementTotalM3 ??= total;
    const local = new Date(now + this.environment.utcOffsetMinutes * 60_000);
    const status = this.spec.status?.() ?? { valve: 0 as const, batteryLow: false };
    const data: Cjt188MeteringData = {
      currentTotalM3: total,
      settlementTotalM3: this.settlementTotalM3,
      clock: {
        year: local.getUTCFullYear(),
        month: local.getUTCMonth() + 1,
        day: local.getUTCDate(),
        hour: local.getUTCHours(),
        minute: local.getUTCMinutes(),
        second: local.getUTCSeconds(),
      },
      status: { word: encodeCjt188Status(status), ...status },
    };
    this.snapshot = { ts: now, data };
    return data;
  }
}
