import {
  Dlt645FrameReader,
  DLT645_PREAMBLE_BYTES,
  parseDlt645Control,
  type Dlt645Frame,
} from '../../devices/index.js';
import type { Logger } from '../../runtime/index.js';
import { MeterLine, type LineOutcome, type MeterLineOptions } from '../line/meter-line.js';
import { NORMAL_CONDITIONS, type Clock, type SimConditions } from '../models/conditions.js';
import type { MeterMode } from '../modbus/simulated-meter.js';
import { SimulatedDlt645Meter, type Dlt645MeterSpec } from './simulated-dlt645-meter.js';

/** What happened to one frame heard on the line (a metrics label). */
export type Dlt645Outcome = LineOutcome;

export interface Dlt645LineOptions extends MeterLineOptions {
  meters: readonly Dlt645MeterSpec[];
  logger: Logger;
  clock?: Clock;
  /** How long a meter's snapshot of its values stays current, ms. */
  refreshMs?: number;
  conditions?: (address: string) => SimConditions;
  /** Fault modes per meter address, as the Modbus meters have them. */
  mode?: (address: string) => MeterMode;
  /** `FE` bytes before each reply; real meters send 0 to 4. */
  preambleBytes?: number;
}

const DLT645_LINE = {
  reader: () => new Dlt645FrameReader(),
  isReply: (frame: Dlt645Frame) => parseDlt645Control(frame.control).isReply,
};

/**
 * An RS-485 line of DL/T 645 meters (see {@link MeterLine}): the one meter a request
 * is addressed to answers, a wildcard that reaches several meters gets no answer.
 */
export class Dlt645Line extends MeterLine<Dlt645Frame, SimulatedDlt645Meter> {
  constructor(options: Dlt645LineOptions) {
    const environment = {
      clock: options.clock ?? Date.now,
      conditions: options.conditions ?? (() => ({ ...NORMAL_CONDITIONS })),
      mode: options.mode ?? (() => 'normal' as const),
      refreshMs: options.refreshMs ?? 1000,
      preambleBytes: options.preambleBytes ?? DLT645_PREAMBLE_BYTES,
    };
    super(
      DLT645_LINE,
      () => options.meters.map((spec) => new SimulatedDlt645Meter(spec, environment)),
      options,
    );
  }
}
