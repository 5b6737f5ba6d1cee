import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';

const EXCEPTION_LENGTH = 5;
const MAX_BUFFER = 512;

/**
 * A modbus-serial "port" carrying raw RTU frames (address, PDU, CRC) over a TCP
 * socket, as transparent TCP→RS-485 converters do. modbus-serial 8.0.25's
 * connectTcpRTUBuffered speaks MBAP (Modbus TCP framing), so it cannot talk to such
 * a converter. TCP may split or merge frames: this port reassembles the one answer it
 * expects (unit id, function code, length known from the request), skipping noise
 * before it; modbus-serial then checks the CRC.
 */
export class RtuSocketPort extends EventEmitter {
  private readonly socket = new Socket();
  private buffer = Buffer.alloc(0);
  private expected: { unitId: number; code: number; length: number } | undefined;
  private open_ = false;
  // modbus-serial stores transactions under these ids; RTU has one transaction at a time.
  _transactionIdRead = 1;
  _transactionIdWrite = 1;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly connectTimeoutMs: number,
  ) {
    super();
  }

  get isOpen(): boolean {
    return this.open_;
  }

  open(callback: (error?: Error | null) => void): void {
    const socket = this.socket;
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      callback(error ?? null);
    };
    const timer = setTimeout(() => {
      settle(new Error(`connect timed out after ${this.connectTimeoutMs} ms`));
      socket.destroy();
    }, this.connectTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => {
      // Before the open completes the error is the open's (ECONNREFUSED from a converter that
      // is off): modbus-serial listens for the port's 'error' only once it has opened it, and an
      // 'error' emitted with nobody listening is thrown.
      if (!this.open_) settle(error);
      else this.emit('error', error);
    });
    socket.on('close', () => {
      settle(new Error('connection closed'));
      if (this.open_) {
        this.open_ = false;
        this.emit('close');
      }
    });
    socket.connect({ host: this.host, port: this.port }, () => {
      this.open_ = true;
      settle();
    });
  }

  write(frame: Buffer): void {
    const unitId = frame[0] ?? 0;
    const code = frame[1] ?? 0;
    const count = frame.length >= 6 ? frame.readUInt16BE(4) : 0;
    // Reads (FC 03/04) answer with 3 header bytes, 2 per register and the CRC.
    this.expected = { unitId, code, length: code === 3 || code === 4 ? 5 + 2 * count : 8 };
    this.buffer = Buffer.alloc(0);
    this.socket.write(frame);
  }

  close(callback?: (error?: Error | null) => void): void {
    this.open_ = false;
    this.socket.destroy();
    callback?.(null);
  }

  destroy(): void {
    this.close();
  }

  private onData(chunk: Buffer): void {
    const expected = this.expected;
    if (!expected) return;
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (this.buffer.length > MAX_BUFFER) this.buffer = this.buffer.subarray(-MAX_BUFFER);
    for (let i = 0; i + 1 < this.buffer.length; i++) {
      if (this.buffer[i] !== expected.unitId) continue;
      const code = this.buffer[i + 1];
      const length =
        code === expected.code ? expected.length : code === (expected.code | 0x80) ? EXCEPTION_LENGTH : 0;
      if (length === 0) continue;
      if (i + length > this.buffer.length) return; // wait for the rest
      const frame = this.buffer.subarray(i, i + length);
      this.buffer = Buffer.alloc(0);
      this.expected = undefined;
      this.emit('data', Buffer.from(frame));
      return;
    }
  }
}
