import {
  DLT645_ERROR_FLAG,
  dlt645AddressMatches,
  DLT645_FUNCTION,
  decodeDlt645Value,
  encodeDlt645Value,
  encodeErrorReply,
  encodeReadAddressReply,
  encodeReadReply,
  isDlt645Error,
  normaliseDlt645Address,
  parseDlt645Control,
  parseReadRequest,
  type Dlt645Frame,
  type Dlt645Profile,
} from '../../devices/index.js';
import type { LineMeter } from '../line/meter-line.js';
import type { SerialSettings } from '../line/observed-line.js';
import type { Clock, DeviceModel, SimConditions } from '../models/conditions.js';
import type { MeterMode, ServedReading } from '../modbus/simulated-meter.js';

export interface Dlt645MeterSpec {
  /** The nameplate address, 12 digits (shorter numbers are zero-padded). */
  address: string;
  /** The meter's own line settings when they are not the line's (see MeterLineOptions.masterPath). */
  serial?: SerialSettings;
  profile: Dlt645Profile;
  /** The value model behind the meter, e.g. an ElectricityMeterModel. */
  model: DeviceModel;
}

/** What a meter needs from its line at the moment of a request. */
export interface Dlt645MeterEnvironment {
  clock: Clock;
  conditions(address: string): SimConditions;
  mode(address: string): MeterMode;
  /** How long a snapshot of the model's values stays current, as a real meter refreshes its registers. */
  refreshMs: number;
  /** `FE` bytes before each reply. */
  preambleBytes: number;
}

/**
 * One DL/T 645 meter on a simulated RS-485 line. It answers reads of its profile's
 * data identifiers from a snapshot of its value model (so the several requests of
 * one poll see one coherent reading), refuses unknown identifiers with "no such data"
 * and, in garbage mode, sends well-framed replies whose digits are not BCD.
 */
export class SimulatedDlt645Meter implements LineMeter<Dlt645Frame> {
  readonly address: string;
  readonly serial: SerialSettings | undefined;
  private snapshot: { ts: number; values: Record<string, number> } | undefined;

  constructor(
    private readonly spec: Dlt645MeterSpec,
    private readonly environment: Dlt645MeterEnvironment,
  ) {
    this.address = normaliseDlt645Address(spec.address);
    this.serial = spec.serial;
  }

  hears(frame: Dlt645Frame): boolean {
    return dlt645AddressMatches(this.address, frame.address);
  }

  /** The values behind the replies most recently served, rounded as they went on the wire. */
  lastServed(): ServedReading | undefined {
    return this.snapshot && { ts: this.snapshot.ts, values: { ...this.snapshot.values } };
  }

  /** The reply to a request addressed to this meter, or undefined when it stays silent. */
  answer(frame: Dlt645Frame): Buffer | undefined {
    const mode = this.environment.mode(this.address);
    if (mode === 'silent') return undefined;
    const options = { preambleBytes: this.environment.preambleBytes };
    switch (parseDlt645Control(frame.control).func) {
      case DLT645_FUNCTION.readAddress:
        return encodeReadAddressReply(this.address, options);
      case DLT645_FUNCTION.readData:
        return this.readData(frame, mode, options);
      default:
        // Writes, time sync, freeze…: a read-only simulator ignores them.
        return undefined;
    }
  }

  private readData(frame: Dlt645Frame, mode: MeterMode, options: { preambleBytes: number }): Buffer {
    let dataId: string;
    try {
      dataId = parseReadRequest(frame).dataId;
    } catch (error) {
      if (!isDlt645Error(error)) throw error;
      return encodeErrorReply(this.address, DLT645_ERROR_FLAG.other, options);
    }
    const item = this.spec.profile.items.find((i) => i.dataId === dataId);
    if (!item) return encodeErrorReply(this.address, DLT645_ERROR_FLAG.noData, options);
    if (mode === 'garbage') {
      return encodeReadReply(this.address, dataId, Buffer.alloc(item.format.bytes, 0xff), options);
    }
    const value = this.currentValues()[item.field];
    if (value === undefined) return encodeErrorReply(this.address, DLT645_ERROR_FLAG.other, options);
    return encodeReadReply(this.address, dataId, encodeDlt645Value(value, item.format), options);
  }

  private currentValues(): Record<string, number> {
    const now = this.environment.clock();
    if (this.snapshot && now - this.snapshot.ts < this.environment.refreshMs) return this.snapshot.values;
    const raw = this.spec.model.read(this.environment.conditions(this.address));
    const values: Record<string, number> = {};
    for (const item of this.spec.profile.items) {
      const value = raw[item.field];
      if (value === undefined) continue;
      try {
        // What the master will decode: the model's value rounded to the item's digits.
        values[item.field] = decodeDlt645Value(encodeDlt645Value(value, item.format), item.format);
      } catch (error) {
        if (!isDlt645Error(error)) throw error;
        // A value the format cannot carry is answered with an error reply.
      }
    }
    this.snapshot = { ts: now, values };
    return values;
  }
}
