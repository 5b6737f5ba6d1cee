import { BusScheduler } from '../modbus/bus-scheduler.js';
import { interFrameDelayMs } from '../modbus/serial-timing.js';
import type { SerialLineSettings } from './byte-link.js';

/** What the scheduler needs of a DL/T 645 or CJ/T 188 bus config. */
export type ByteLineBus =
  | ({ transport: 'serial'; interFrameDelayMs?: number | undefined } & SerialLineSettings)
  | { transport: 'tcp'; interFrameDelayMs?: number | undefined };

/**
 * One request at a time on a line of byte-framed meters (RS-485 is half duplex, and a
 * converter has one line behind it), with at least 3.5 characters of silence after
 * each reply on a local serial line; behind a converter only the configured gap.
 */
export function createByteLineScheduler(bus: ByteLineBus): BusScheduler {
  const gapMs = bus.transport === 'tcp' ? (bus.interFrameDelayMs ?? 0) : interFrameDelayMs(bus);
  return new BusScheduler({ concurrency: 1, gapMs });
}
