import type { Duplex } from 'node:stream';
import type { Logger } from '../../runtime/index.js';
import { EdgeError, type EdgeErrorCode } from '../errors.js';
import type { ByteLink } from './byte-link.js';
import { ReopeningLine } from './reopening-line.js';

/** One request on the line and how its reply is recognised among other frames. */
export interface FrameExchange<F> {
  /** The bytes to send, wake-up preamble included. */
  request: Buffer;
  /** Whether a frame heard on the line is the reply to this request (and not a late one to an earlier request). */
  accepts(frame: F): boolean;
  /** For error messages: `meter 000012345678 02010100`. */
  what: string;
}

/** Cuts the line's byte stream into frames, reporting broken ones (see devices' FrameStreamReader). */
export interface FrameReader<F, E> {
  push(chunk: Uint8Array): Array<{ frame: F } | { error: E }>;
  reset(): void;
}

/** The coded errors a protocol's transport raises. */
export interface FrameTransportCodes {
  timeout: EdgeErrorCode;
  badFrame: EdgeErrorCode;
  connect: EdgeErrorCode;
}

/** A meter protocol's line codes, as its catalogue names them (`DLT645_TIMEOUT` …). */
export function lineCodes(protocol: 'DLT645' | 'CJT188'): FrameTransportCodes {
  return {
    timeout: `${protocol}_TIMEOUT`,
    badFrame: `${protocol}_BAD_FRAME`,
    connect: `${protocol}_CONNECT`,
  };
}

interface Pending<F, E> {
  exchange: FrameExchange<F>;
  resolve(frame: F): void;
  reject(error: EdgeError): void;
  /** A broken frame heard while waiting: a timeout then means "garbled", not "silent". */
  broken?: E;
}

/**
 * A master on one line of byte-framed meters (DL/T 645, CJ/T 188) over a serial port
 * or a transparent TCP converter: one request at a time (the bus scheduler sees to
 * that), the reply found in the byte stream by the protocol's frame reader, which skips
 * the FE preamble and noise and resyncs after a broken frame. The line is opened on the
 * first request and again after it is lost, with back-off, so a missing adapter fails
 * each poll fast.
 */
export class FrameTransport<F, E extends Error> {
  private readonly line: ReopeningLine<Duplex>;
  private pending: Pending<F, E> | undefined;

  constructor(
    private readonly link: ByteLink,
    private readonly reader: FrameReader<F, E>,
    private readonly codes: FrameTransportCodes,
    private readonly logger: Logger,
  ) {
    this.line = new ReopeningLine({
      description: link.description,
      open: () => link.open(),
      dispose: (stream) => link.dispose(stream),
      attach: (stream) => {
        stream.on('data', (chunk: Buffer) => this.receive(chunk));
        stream.on('error', (error: Error) => this.lose(stream, error));
        stream.on('close', () => this.lose(stream, new Error('line closed')));
      },
      failure: (message, cause) =>
        new EdgeError(codes.connect, message, cause === undefined ? {} : { cause }),
      logger,
    });
  }

  get description(): string {
    return this.link.description;
  }

  /** Sends one request and resolves with its reply; rejects with the protocol's timeout, bad-frame or connect code. */
  async request(exchange: FrameExchange<F>, timeoutMs: number): Promise<F> {
    if (this.pending) throw new Error('FrameTransport: one request at a time (use the bus scheduler)');
    const stream = await this.line.get();
    // Whatever arrived before this request (a late reply, noise) cannot be its answer.
    this.reader.reset();
    const where = `${this.description} ${exchange.what}`;
    return new Promise<F>((resolve, reject) => {
      const timer = setTimeout(() => {
        const broken = this.pending?.broken;
        settle(() =>
          reject(
            broken
              ? new EdgeError(this.codes.badFrame, `${where}: ${broken.message}`, { cause: broken })
              : new EdgeError(this.codes.timeout, `${where}: no answer within ${timeoutMs} ms`),
          ),
        );
      }, timeoutMs);
      const settle = (done: () => void) => {
        clearTimeout(timer);
        this.pending = undefined;
        done();
      };
      this.pending = {
        exchange,
        resolve: (frame) => settle(() => resolve(frame)),
        reject: (error) => settle(() => reject(error)),
      };
      stream.write(exchange.request, (error) => {
        if (error) this.lose(stream, error);
      });
    });
  }

  /** Resolves once the line is released, so the same port can be opened again at once. */
  async close(): Promise<void> {
    const stream = await this.line.close();
    if (stream) this.lose(stream, new Error('transport closed'));
    await this.line.released();
  }

  private receive(chunk: Buffer): void {
    for (const output of this.reader.push(chunk)) {
      const pending = this.pending;
      if (!pending) continue;
      if ('error' in output) pending.broken ??= output.error;
      else if (pending.exchange.accepts(output.frame)) pending.resolve(output.frame);
    }
  }

  /** Drops a stream that failed or closed; the next request reopens the line. */
  private lose(stream: Duplex, error: Error): void {
    if (!this.line.forget(stream)) return;
    stream.removeAllListeners('data');
    // Keep a listener: a late 'error' without one would crash the process.
    stream.removeAllListeners('error');
    stream.on('error', () => undefined);
    this.line.dispose(stream);
    this.logger.debug({ err: error, bus: this.description }, 'line lost');
    this.pending?.reject(new EdgeError(this.codes.connect, `${this.description}: ${error.message}`));
  }
}
