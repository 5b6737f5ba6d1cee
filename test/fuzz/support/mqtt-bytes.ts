import { connect, type Socket } from 'node:net';

/** Raw MQTT 3.1.1 packets, built by hand so they can be bent in ways a client library refuses. */
function utf8Field(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** Remaining length as the variable byte integer of [MQTT-2.2.3]. */
export function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  let rest = length;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return Buffer.from(bytes);
}

export function connectPacket(options: {
  clientId: string;
  username?: string;
  password?: string;
  protocolLevel?: number;
  keepaliveS?: number;
}): Buffer {
  const flags = 0x02 | (options.username ? 0x80 : 0) | (options.password ? 0x40 : 0);
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(options.keepaliveS ?? 30);
  const body = Buffer.concat([
    utf8Field('MQTT'),
    Buffer.from([options.protocolLevel ?? 4, flags]),
    keepalive,
    utf8Field(options.clientId),
    ...(options.username ? [utf8Field(options.username)] : []),
    ...(options.password ? [utf8Field(options.password)] : []),
  ]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

export function publishPacket(topic: string, payload: Buffer): Buffer {
  const body = Buffer.concat([utf8Field(topic), payload]);
  return Buffer.concat([Buffer.from([0x30]), remainingLength(body.length), body]);
}

/** A raw TCP connection that records what the broker sent and when it closed. */
export class RawConnection {
  readonly received: Buffer[] = [];
  readonly closed: Promise<void>;
  isClosed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk) => this.received.push(chunk));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  send(bytes: Buffer): void {
    if (!this.isClosed) this.socket.write(bytes);
  }

  /** The CONNACK return code the broker sent, if any ([MQTT-3.2.2.3]). */
  connackCode(): number | undefined {
    const all = Buffer.concat(this.received);
    return all[0] === 0x20 && all.length >= 4 ? all[3] : undefined;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
