import {
  Cjt188FrameReader,
  CJT188_PREAMBLE_BYTES,
  parseCjt188Control,
  type Cjt188Frame,
} from '../../devices/index.js';
import { MeterLine, type MeterLineOptions } from '../line/meter-line.js';
import { NORMAL_CONDITIONS, type Clock, type SimConditions } from '../models/conditions.js';
import type { MeterMode } from '../modbus/simulated-meter.js';
import { SimulatedCjt188Meter, type Cjt188MeterSpec } from './simulated-water-meter.js';

export interface Cjt188LineOptions extends MeterLineOptions {
  meters: readonly Cjt188MeterSpec[];
  clock?: Clock;
  /** How long a meter's snapshot of its values stays current, ms. */
  refreshMs?: number;
  conditions?: (address: string) => SimConditions;
  /** Fault modes per meter address, as the other simulated meters have them. */
  mode?: (address: string) => MeterMode;
  /** `FE` bytes before each reply. */
  preambleBytes?: number;
  utcOffsetMinutes?: number;
}

const CJT188_LINE = {
  reader: () => new Cjt188FrameReader(),
  isReply: (frame: Cjt188Frame) => parseCjt188Control(frame.control).isReply,
};

/** An RS-485 / M-Bus line of CJ/T 188 water meters (see {@link MeterLine}). */
export class Cjt188Line extends MeterLine<Cjt188Frame, SimulatedCjt188Meter> {
  constructor(options: Cjt188LineOptions) {
    const environment = {
      clock: options.clock ?? Date.now,
      conditions: options.conditions ?? (() => ({ ...NORMAL_CONDITIONS })),
      mode: options.mode ?? (() => 'normal' as const),
      refreshMs: options.refreshMs ?? 1000,
      preambleBytes: options.preambleBytes ?? CJT188_PREAMBLE_BYTES,
      utcOffsetMinutes: options.utcOffsetMinutes ?? 480,
    };
    super(
      CJT188_LINE,
      () => options.meters.map((spec) => new SimulatedCjt188Meter(spec, environment)),
      options,
    );
  }
}
