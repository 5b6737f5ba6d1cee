import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import type { Component, Logger } from '../../runtime/index.js';
import type { ServedReading } from '../modbus/simulated-meter.js';
import { hearsLine, observePtyLine, type SerialSettings } from './observed-line.js';

/** What happened to one frame heard on the line (a metrics label). */
export type LineOutcome =
  'answered' | 'silent' | 'not_for_us' | 'ambiguous' | 'broken_frame' | 'wrong_setting';

/** One simulated meter on a line of byte-framed meters (DL/T 645, CJ/T 188). */
export interface LineMeter<F> {
  readonly address: string;
  /** Its own line settings, when they differ from the line's (a meter left at another baud rate). */
  readonly serial?: SerialSettings | undefined;
  /** Whether a request frame reaches this meter: its own address, or a wildcard that covers it. */
  hears(frame: F): boolean;
  /** The reply to a request it hears, or undefined when it stays silent. */
  answer(frame: F): Buffer | undefined;
  lastServed(): ServedReading | undefined;
}

/** How a protocol cuts a byte stream and tells requests from replies. */
export interface LineProtocol<F> {
  reader(): { push(chunk: Uint8Array): Array<{ frame: F } | { error: Error }> };
  isReply(frame: F): boolean;
}

export interface MeterLineOptions {
  /** A serial port to open (and close on stop), or a stream someone else owns. */
  line: { path: string; serial: SerialSettings } | { stream: Duplex };
  logger: Logger;
  /**
   * The master's end of a pty pair: meters with their own `serial` settings then answer
   * only when the master opened that end with settings they hear (see observed-line.ts).
   */
  masterPath?: string;
  onFrame?: (outcome: LineOutcome) => void;
}

/**
 * An RS-485 line of simulated meters: reads frames off a byte stream and lets the one
 * meter a request reaches answer. Replies heard from other meters, frames nobody owns
 * and broken frames get no answer, exactly as on a real line; neither does a wildcard
 * that reaches several meters, whose replies would collide on a real bus.
 */
export class MeterLine<F, M extends LineMeter<F>> implements Component {
  private stream: Duplex | undefined;
  private ownsStream = false;
  private reader: ReturnType<LineProtocol<F>['reader']>;
  protected meters: M[] = [];
  private queue: Promise<void> = Promise.resolve();
  private readonly onData = (chunk: Buffer) => {
    this.queue = this.queue.then(() => this.receive(chunk));
  };
  private readonly onError = (error: Error) => this.options.logger.error({ err: error }, 'serial line error');

  constructor(
    private readonly protocol: LineProtocol<F>,
    private readonly makeMeters: () => M[],
    private readonly options: MeterLineOptions,
  ) {
    this.reader = protocol.reader();
  }

  async start(): Promise<void> {
    if (this.stream) return;
    const meters = this.makeMeters();
    const addresses = new Set<string>();
    for (const meter of meters) {
      if (addresses.has(meter.address))
        throw new Error(`two meters on one line share address ${meter.address}`);
      addresses.add(meter.address);
    }
    const { line } = this.options;
    const stream = 'stream' in line ? line.stream : await openSerialPort(line.path, line.serial);
    this.ownsStream = !('stream' in line);
    this.meters = meters;
    this.reader = this.protocol.reader();
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
    await this.queue;
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

  private async receive(chunk: Buffer): Promise<void> {
    for (const output of this.reader.push(chunk)) {
      if ('error' in output) {
        this.options.logger.debug({ err: output.error }, 'broken frame ignored');
        this.options.onFrame?.('broken_frame');
        continue;
      }
      // Dispatched first: `onFrame?.(dispatch())` would not answer at all without an onFrame.
      const outcome = await this.dispatch(output.frame);
      this.options.onFrame?.(outcome);
    }
  }

  private async dispatch(frame: F): Promise<LineOutcome> {
    // A reply from a real meter sharing the line is not for us to answer.
    if (this.protocol.isReply(frame)) return 'not_for_us';
    let addressed = this.meters.filter((m) => m.hears(frame));
    if (addressed.length === 0) return 'not_for_us';
    if (this.options.masterPath && addressed.some((m) => m.serial)) {
      const observed = await observePtyLine(this.options.masterPath);
      addressed = addressed.filter(
        (m) => !m.serial || (observed !== undefined && hearsLine(m.serial, observed)),
      );
      // A frame at the wrong baud rate or parity reaches the meter as noise.
      if (addressed.length === 0) return 'wrong_setting';
    }
    if (addressed.length > 1) return 'ambiguous';
    const meter = addressed[0] as M;
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

/** Opens a serial port with a meter's line settings. */
export async function openSerialPort(path: string, serial: SerialSettings): Promise<SerialPort> {
  const port = new SerialPort({ path, ...serial, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((error) =>
      error ? reject(new Error(`cannot open serial port ${path}: ${error.message}`)) : resolve(),
    ),
  );
  return port;
}
