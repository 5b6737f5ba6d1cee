import { connect } from 'node:net';
import { connectPacket } from '../../fuzz/support/mqtt-bytes.js';

/** How one raw CONNECT ended: a CONNACK code (0 = accepted), or a close without one. */
export type RawConnectResult = { connack: number } | { closedWithoutConnack: true };

export interface RawConnectOptions {
  port: number;
  /** A loopback address of its own (127.0.0.2 …) stands for another machine on the network. */
  localAddress?: string;
  clientId?: string;
  username?: string;
  password?: string;
  /** Hang up this long after sending CONNECT if nothing came back (ms). */
  giveUpMs?: number;
}

/**
 * Opens a TCP connection, sends one CONNECT and reports the answer, then closes: what
 * a flooding script does, without a client library's retries and timers.
 */
export function rawConnect(options: RawConnectOptions): Promise<RawConnectResult> {
  return new Promise((resolve) => {
    const socket = connect({
      port: options.port,
      host: '127.0.0.1',
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    let settled = false;
    const settle = (result: RawConnectResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => settle({ closedWithoutConnack: true }), options.giveUpMs ?? 10_000);
    let received = Buffer.alloc(0);
    socket.on('connect', () =>
      socket.write(
        connectPacket({
          clientId: options.clientId ?? `flood-${Math.random().toString(36).slice(2)}`,
          ...(options.username !== undefined ? { username: options.username } : {}),
          ...(options.password !== undefined ? { password: options.password } : {}),
        }),
      ),
    );
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received[0] === 0x20 && received.length >= 4) settle({ connack: received[3] as number });
    });
    socket.on('error', () => settle({ closedWithoutConnack: true }));
    socket.on('close', () => settle({ closedWithoutConnack: true }));
  });
}

/** How many results had each outcome: `{ '4': 12, '3': 8, closed: 3 }`. */
export function tally(results: readonly RawConnectResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) {
    const key = 'connack' in result ? String(result.connack) : 'closed';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
