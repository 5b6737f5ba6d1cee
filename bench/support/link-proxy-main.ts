/**
 * Child entry: a TCP proxy standing for a network link between two parts of the
 * platform, in its own process so that it neither shares nor slows the event loop of
 * what it measures.
 * - counts the bytes each way (what the two sockets carry: MQTT, or TLS records with
 *   MQTT inside), reported over IPC as `{ bytes: { up, down } }` every 100 ms;
 * - optionally shapes the link: every chunk waits `DELAY_MS` (one way) and the link
 *   carries at most `RATE_BPS` bits per second in each direction (a serialising queue,
 *   as a 4G uplink's bottleneck does), so a round trip costs 2 × DELAY_MS plus the
 *   time the bytes take on the wire;
 * - optionally taps: a chunk holding one of the `MARKERS` (comma separated) is reported
 *   as `{ seen: { marker, direction, at } }` the moment it arrives, before any delay.
 * Env: LISTEN_PORT, TARGET_PORT, RATE_BPS (0 = unshaped), DELAY_MS, MARKERS.
 */
import { connect, createServer, type Socket } from 'node:net';

const listenPort = Number(process.env.LISTEN_PORT);
const targetPort = Number(process.env.TARGET_PORT);
const rateBps = Number(process.env.RATE_BPS ?? 0);
const delayMs = Number(process.env.DELAY_MS ?? 0);
const markers = (process.env.MARKERS ?? '')
  .split(',')
  .filter((m) => m !== '')
  .map((marker) => ({ marker, bytes: Buffer.from(marker) }));

type Direction = 'up' | 'down';
const bytes: Record<Direction, number> = { up: 0, down: 0 };

/** One direction of one connection: chunks leave in order, each after its delay and its turn on the wire. */
class Lane {
  /** When the wire is free again (ms, performance.now clock). */
  private wireFreeAt = 0;
  private last: Promise<void> = Promise.resolve();

  constructor(
    private readonly to: Socket,
    private readonly direction: Direction,
  ) {}

  carry(chunk: Buffer): void {
    const arrived = performance.now();
    bytes[this.direction] += chunk.length;
    for (const { marker, bytes: needle } of markers) {
      if (chunk.includes(needle))
        process.send?.({ seen: { marker, direction: this.direction, at: Date.now() } });
    }
    if (rateBps <= 0 && delayMs <= 0) {
      this.to.write(chunk);
      return;
    }
    const wireMs = rateBps > 0 ? (chunk.length * 8 * 1000) / rateBps : 0;
    const start = Math.max(arrived, this.wireFreeAt);
    this.wireFreeAt = start + wireMs;
    const leaveAt = this.wireFreeAt + delayMs;
    // Chained so that chunks never overtake each other, whatever the timers do.
    this.last = this.last.then(
      () =>
        new Promise<void>((resolve) => {
          setTimeout(
            () => {
              if (!this.to.destroyed) this.to.write(chunk);
              resolve();
            },
            Math.max(0, leaveAt - performance.now()),
          );
        }),
    );
  }
}

const server = createServer((client) => {
  const upstream = connect(targetPort, '127.0.0.1');
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  const up = new Lane(upstream, 'up');
  const down = new Lane(client, 'down');
  client.on('data', (chunk: Buffer) => up.carry(chunk));
  upstream.on('data', (chunk: Buffer) => down.carry(chunk));
  for (const socket of [client, upstream]) socket.on('error', () => socket.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
});
server.listen(listenPort, '127.0.0.1', () => process.send?.({ ready: true }));
setInterval(() => process.send?.({ bytes }), 100);
process.once('SIGTERM', () => process.exit(0));
