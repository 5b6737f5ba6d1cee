import { backoffMs, type Logger } from '../../runtime/index.js';

export interface ReopeningLineOptions<T> {
  /** For messages: `bus-a (serial /dev/ttyUSB0)`. */
  description: string;
  open(): Promise<T>;
  /** Releases a handle; resolves once it is released (a serial port stays locked until closed). */
  dispose(handle: T): Promise<void>;
  /** Wires the handle's events once it is open. */
  attach(handle: T): void;
  /** Whether a handle still open in our books can take a request (a client may know it is closed). */
  usable?(handle: T): boolean;
  /** The protocol's coded connect error. */
  failure(message: string, cause?: unknown): Error;
  logger: Logger;
}

/**
 * A line to meters (a serial port, a TCP converter, a Modbus client) opened on the first
 * request and again after it is lost. Failed opens back off (0.5 s, doubling to 30 s), so a
 * missing USB adapter or a dead serial server is not hammered and each request fails fast
 * meanwhile; concurrent requests share one opening attempt. A new open waits until every
 * handle disposed of before it is released: a serial port is locked until its close completes.
 */
export class ReopeningLine<T> {
  private current: T | undefined;
  private opening: Promise<T> | undefined;
  private openFailures = 0;
  private nextOpenAt = 0;
  private closed = false;
  private readonly disposals = new Set<Promise<void>>();

  constructor(private readonly options: ReopeningLineOptions<T>) {}

  /** The open line if it is open and usable now; get() opens it otherwise. */
  ready(): T | undefined {
    if (this.closed || this.current === undefined) return undefined;
    return (this.options.usable?.(this.current) ?? true) ? this.current : undefined;
  }

  /** The open line, opened now if need be. */
  async get(): Promise<T> {
    const { description, failure, usable } = this.options;
    if (this.closed) throw failure(`${description}: transport closed`);
    if (this.current !== undefined) {
      if (usable?.(this.current) ?? true) return this.current;
      const stale = this.current;
      this.current = undefined;
      this.dispose(stale);
    }
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Forgets `handle` if it is the open line (true); the caller disposes of it (dispose()). The next get() reopens. */
  forget(handle: T): boolean {
    if (this.current !== handle) return false;
    this.current = undefined;
    return true;
  }

  /** Releases `handle`; the next open waits until that is done. */
  dispose(handle: T): void {
    const disposal: Promise<void> = this.options
      .dispose(handle)
      .catch(() => undefined)
      .finally(() => this.disposals.delete(disposal));
    this.disposals.add(disposal);
  }

  /** Resolves once every handle disposed of so far is released. */
  async released(): Promise<void> {
    await Promise.all([...this.disposals]);
  }

  /** No more opening; resolves with the line still open, for the caller to dispose of. */
  async close(): Promise<T | undefined> {
    this.closed = true;
    await this.opening?.catch(() => undefined);
    return this.current;
  }

  private async open(): Promise<T> {
    const { description, failure, logger } = this.options;
    if (Date.now() < this.nextOpenAt) throw failure(`${description}: waiting before reconnecting`);
    await this.released();
    let handle: T;
    try {
      handle = await this.options.open();
    } catch (error) {
      this.openFailures++;
      this.nextOpenAt = Date.now() + backoffMs(this.openFailures, 500, 30_000);
      throw failure(`${description}: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    if (this.closed) {
      this.dispose(handle);
      throw failure(`${description}: transport closed`);
    }
    this.options.attach(handle);
    if (this.openFailures > 0) logger.info({ bus: description }, 'line open again');
    this.openFailures = 0;
    this.nextOpenAt = 0;
    this.current = handle;
    return handle;
  }
}
