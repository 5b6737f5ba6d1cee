import type { Duplex } from 'node:stream';
import { Dlt645FrameReader, type Dlt645Frame } from '../../../devices/index.js';

/**
 * The gateway's side of a line, for tests: writes requests and hands out the frames
 * that come back, in order. A wait that sees no frame fails after `timeoutMs`; tests
 * never assert on time, they only use it to stop waiting for a reply that is missing.
 */
export class TestMaster {
  private readonly reader = new Dlt645FrameReader();
  private readonly frames: Dlt645Frame[] = [];
  private readonly waiters: Array<(frame: Dlt645Frame) => void> = [];
  private readonly onData = (chunk: Buffer) => {
    for (const output of this.reader.push(chunk)) {
      if (!('frame' in output)) continue;
      const waiter = this.waiters.shift();
      if (waiter) waiter(output.frame);
      else this.frames.push(output.frame);
    }
  };

  constructor(private readonly stream: Duplex) {
    stream.on('data', this.onData);
  }

  send(bytes: Buffer): void {
    this.stream.write(bytes);
  }

  async request(bytes: Buffer, timeoutMs = 5000): Promise<Dlt645Frame> {
    this.send(bytes);
    return this.next(timeoutMs);
  }

  next(timeoutMs = 5000): Promise<Dlt645Frame> {
    const ready = this.frames.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const waiter = (frame: Dlt645Frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  detach(): void {
    this.stream.removeListener('data', this.onData);
  }
}
