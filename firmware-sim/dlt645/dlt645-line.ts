import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import type { z } from 'zod';
import {
  Dlt645FrameReader,
  dlt645AddressMatches,
  DLT645_PREAMBLE_BYTES,
  parseDlt645Control,
  type Dlt645Frame,
  type serialDefaultsSchema,
} from '../../devices/index.js';
import type { Component, Logger } from '../../runtime/index.js';
import { NORMAL_CONDITIONS, type Clock, type SimConditions } from '../models/conditions.js';
import type { MeterMode, ServedReading } from '../modbus/simulated-meter.js';
import { SimulatedDlt645Meter, type Dlt645MeterSpec } from './simulated-dlt645-meter.js';

export type SerialSettings = z.infer<typeof serialDefaultsSchema>;

/** What happened to one frame heard on the line (a metrics label). */
export type Dlt645Outcome = 'answered' | 'silent' | 'not_for_us' | 'ambiguous' | 'broken_frame';

export interface Dlt645LineOptions {
  meters: readonly Dlt645MeterSpec[];
  /** A serial port to open (and close on stop), or a stream someone else owns. */
  line: { path: string; serial: SerialSettings } | { stream: Duplex };
  logger: Logger;
  clock?: Clock;
  /** How long a meter's snapshot of its values stays current, ms. */
  refreshMs?: number;
  conditions?: (address: string) => SimConditions;
  /** Fault modes per meter address, as the Modbus meters have them. */
  mode?: (address: string) => MeterMode;
  /** `FE` bytes before each reply; real meters send 0 to 4. */
  preambleBytes?: number;
  onFrame?: (outcome: Dlt645Outcome) => void;
}

/**
 * An RS-485 line of DL/T 645 meters: reads frames off a byte stream and lets the one
 * meter a request is addressed to answer. Replies heard from other meters, frames
 * for addresses nobody owns, broadcasts and broken frames get no answer, exactly as
 * on a real line. A wildcard that reaches several meters is not answered either:
 * on a real bus their replies would collide.
 */
export class Dlt645Line implements Component {
  private stream: Duplex | undefined;
  private ownsStream = false;
  private meters: SimulatedDlt645Meter[] = [];
  private reader = new Dlt645FrameReader();
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onError = (error: Error) => this.options.logger.error({ err: error }, 'serial line error');

  constructor(private readonly options: Dlt645LineOptions) {}

  async start(): Promise<void> {
    if (this.stream) return;
    const { options } = this;
    const environment = {
      clock: options.clock ?? Date.now,
      conditions: options.conditions ?? (() => ({ ...NORMAL_CONDITIONS })),
      mode: options.mode ?? (() => 'normal' as const),
      refreshMs: options.refreshMs ?? 1000,
      preambleBytes: options.preambleBytes ?? DLT645_PREAMBLE_BYTES,
    };
    const meters = options.meters.map((spec) => new SimulatedDlt645Meter(spec, environment));
    const addresses = new Set<string>();
    for (const meter of meters) {
      if (addresses.has(meter.address))
        throw new Error(`two meters on one line share address ${meter.address}`);
      addresses.add(meter.address);
    }
    const stream =
      'stream' in options.line
        ? options.line.stream
        : await openSerialPort(options.line.path, options.line.serial);
    this.ownsStream = !('stream' in options.line);
    this.meters = meters;
    this.reader = new Dlt645FrameReader();
    stream.on('data', this.onData);
    stream.on('error', this.onError);
    this.stream = stream;
  }

  async stop(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    this.stream = undefined;
    stream.removeListener('data', this.onData);
    stream.removeListener('error', this.onError);
    if (this.ownsStream && stream instanceof SerialPort) {
      await new Promise<void>((resolve) => stream.close(() => resolve()));
    }
    this.meters = [];
  }

  /** The values behind a meter's most recent replies, by address. */
  lastServed(address: string): ServedReading | undefined {
    return this.meters.find((m) => m.address === address)?.lastServed();
  }

  get addresses(): string[] {
    return this.meters.map((m) => m.address);
  }

  private receive(chunk: Buffer): void {
    for (const output of this.reader.push(chunk)) {
      if ('error' in output) {
        this.options.logger.debug({ err: output.error }, 'broken frame ignored');
        this.options.onFrame?.('broken_frame');
        continue;
      }
      // Dispatched first: `onFrame?.(dispatch())` would not answer at all without an onFrame.
      const outcome = this.dispatch(output.frame);
      this.options.onFrame?.(outcome);
    }
  }

  private dispatch(frame: Dlt645Frame): Dlt645Outcome {
    // A reply from a real meter sharing the line is not for us to answer.
    if (parseDlt645Control(frame.control).isReply) return 'not_for_us';
    const addressed = this.meters.filter((m) => dlt645AddressMatches(m.address, frame.address));
    if (addressed.length === 0) return 'not_for_us';
    if (addressed.length > 1) return 'ambiguous';
    const meter = addressed[0] as SimulatedDlt645Meter;
    let reply: Buffer | undefined;
    try {
      reply = meter.answer(frame);
    } catch (error) {
      this.options.logger.error({ err: error, address: meter.address }, 'cannot build a reply');
      return 'silent';
    }
    if (!reply) return 'silent';
    this.stream?.write(reply);
    return 'answered';
  }
}

/** Opens a serial port with a meter's line settings (2400 8E1 for most DL/T 645 meters). */
export async function openSerialPort(path: string, serial: SerialSettings): Promise<SerialPort> {
  const port = new SerialPort({ path, ...serial, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((error) =>
      error ? reject(new Error(`cannot open serial port ${path}: ${error.message}`)) : resolve(),
    ),
  );
  return port;
}
