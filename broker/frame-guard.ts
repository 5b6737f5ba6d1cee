import type { Socket } from 'node:net';

/**
 * Reads MQTT fixed headers as bytes go by and reports the first packet whose
 * remaining length is over the limit, before its body arrives: mqtt-packet would
 * otherwise buffer a frame of up to 256 MiB before any hook sees it.
 */
export class MqttFrameSizeGuard {
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;

  constructor(private readonly maxRemainingLength: number) {}

  /** The oversized (or malformed, as Infinity) remaining length, or undefined while all is well. */
  observe(chunk: Buffer): number | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const skip = Math.min(this.remaining, chunk.length - i);
        i += skip;
        this.remaining -= skip;
        if (this.remaining === 0) this.state = 'type';
        continue;
      }
      const byte = chunk[i++] as number;
      if (this.state === 'type') {
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      // variable byte integer, at most 4 bytes ([MQTT-2.2.3])
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes += 1;
      if (byte & 0x80) {
        if (this.lengthBytes >= 4) return Number.POSITIVE_INFINITY;
        continue;
      }
      if (this.length > this.maxRemainingLength) return this.length;
      this.remaining = this.length;
      this.state = this.remaining === 0 ? 'type' : 'body';
    }
    return undefined;
  }
}

/**
 * Watches a socket aedes already reads. With a 'readable' listener in place (aedes
 * adds one), a 'data' listener only observes what aedes reads and does not change
 * the flow, so this must be attached after `aedes.handle(socket)`.
 */
export function guardFrameSize(
  socket: Socket,
  maxRemainingLength: number,
  onOversize: (length: number) => void,
): void {
  const guard = new MqttFrameSizeGuard(maxRemainingLength);
  const watch = (chunk: Buffer) => {
    const oversize = guard.observe(chunk);
    if (oversize === undefined) return;
    socket.off('data', watch);
    onOversize(oversize);
    socket.destroy();
  };
  socket.on('data', watch);
}
