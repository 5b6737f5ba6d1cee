import {
  encodeReading,
  resolveRegisters,
  type ModbusProfile,
  type RegisterImage,
  type RegisterTable,
} from '../../devices/index.js';
import type { RegisteredDevice } from '../../site/index.js';
import type { Clock, DeviceModel, SimConditions } from '../models/conditions.js';
import { GARBAGE_DECIMALS, garbageValues } from './garbage.js';

export interface ServedReading {
  ts: number;
  values: Record<string, number>;
}

export type MeterMode = 'normal' | 'silent' | 'garbage';

/** What the meter needs from the simulator at the moment of a read. */
export interface MeterEnvironment {
  clock: Clock;
  conditions(deviceId: string): SimConditions;
  mode(deviceId: string): MeterMode;
  /** Constant values to serve instead of the model's, while the village is frozen. */
  frozen(deviceId: string): Readonly<Record<string, number>> | undefined;
  /** Bumped whenever faults or freeze change, so a cached image is not served past a change. */
  version(): number;
  /** How long a computed register image stays current, as a real meter refreshes its registers. */
  refreshMs: number;
}

/**
 * One meter on a simulated RS-485 line. Like a real meter it keeps a register image
 * that it refreshes every so often; the several reads of one poll are answered from
 * the same image, so the reading a gateway assembles is coherent.
 */
export class SimulatedMeter {
  private image: RegisterImage | undefined;
  private imageTs = 0;
  private imageVersion = -1;
  private served: ServedReading | undefined;

  constructor(
    readonly registered: RegisteredDevice & { profile: ModbusProfile },
    private readonly model: DeviceModel,
    private readonly environment: MeterEnvironment,
  ) {}

  get id(): string {
    return this.registered.device.id;
  }

  /** The engineering values behind the image most recently served. */
  lastServed(): ServedReading | undefined {
    return this.served;
  }

  /** The model's current values, limited to the profile's fields. */
  currentValues(): Record<string, number> {
    return this.profileFields(this.model.read(this.environment.conditions(this.id)));
  }

  /** Register words for a read, or undefined when the meter does not answer at all. */
  answer(table: RegisterTable, address: number, count: number): number[] | undefined {
    const mode = this.environment.mode(this.id);
    if (mode === 'silent') return undefined;
    const image = this.currentImage(mode);
    return Array.from({ length: count }, (_, i) => image.get(table, address + i) ?? 0);
  }

  private currentImage(mode: MeterMode): RegisterImage {
    const now = this.environment.clock();
    const version = this.environment.version();
    if (this.image && version === this.imageVersion && now - this.imageTs < this.environment.refreshMs) {
      return this.image;
    }
    const profile = this.registered.profile;
    const frozen = this.environment.frozen(this.id);
    let values = frozen ? { ...frozen } : this.currentValues();
    let options = {};
    if (mode === 'garbage') {
      values = garbageValues(profile, values);
      options = { decimals: GARBAGE_DECIMALS };
    }
    this.image = encodeReading(profile, values, options);
    this.imageTs = now;
    this.imageVersion = version;
    this.served = { ts: now, values };
    return this.image;
  }

  private profileFields(values: Readonly<Record<string, number>>): Record<string, number> {
    const result: Record<string, number> = {};
    for (const { field } of resolveRegisters(this.registered.profile)) {
      const value = values[field.field];
      if (value !== undefined) result[field.field] = value;
    }
    return result;
  }
}
