/** Why a connection's bytes could not be read as MQTT packets; `code` names it for logs and mqtt.js' `error` event. */
export class MqttFrameError extends Error {
  constructor(
    readonly code: 'MQTT_MALFORMED_LENGTH' | 'MQTT_MALFORMED_PUBLISH' | 'MQTT_QOS2_REFUSED',
    message: string,
  ) {
    super(message);
    this.name = 'MqttFrameError';
  }
}

/**
 * Splits one connection's incoming bytes into MQTT 3.1.1 packets: a fixed header byte, the
 * remaining length (1 to 4 bytes, §2.2.3) and that many bytes. Each whole packet is handed
 * over as its place in a read (`chunk`, `start`, `end`), not copied; only a packet that
 * arrives across reads is joined, once all of it is here.
 */
export class MqttFrameSplitter {
  /** Bytes of a packet not complete yet, and how many its whole needs (0 while its header is incomplete). */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private needed = 0;

  constructor(private readonly onFrame: (chunk: Buffer, start: number, end: number) => void) {}

  /** Throws `MqttFrameError` (MQTT_MALFORMED_LENGTH) when a remaining length runs past 4 bytes. */
  push(chunk: Buffer): void {
    if (this.pending.length > 0) {
      this.pending.push(chunk);
      this.pendingLength += chunk.length;
      // A large packet arrives in many reads: join them once it is all here, not at every read.
      if (this.pendingLength < this.needed) return;
      chunk = Buffer.concat(this.pending, this.pendingLength);
      this.pending = [];
      this.pendingLength = 0;
    }
    let offset = 0;
    while (offset < chunk.length) {
      const end = this.packetEnd(chunk, offset);
      if (end === undefined || end > chunk.length) break;
      this.onFrame(chunk, offset, end);
      offset = end;
    }
    if (offset < chunk.length) {
      const rest = chunk.subarray(offset);
      this.pending = [rest];
      this.pendingLength = rest.length;
    }
  }

  /** Where the packet starting at `offset` ends; undefined while its length is not all here. */
  private packetEnd(chunk: Buffer, offset: number): number | undefined {
    this.needed = 0;
    let length = 0;
    let multiplier = 1;
    for (let i = 1; i <= 4; i++) {
      const at = offset + i;
      if (at >= chunk.length) return undefined;
      const byte = chunk[at] as number;
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if ((byte & 0x80) === 0) {
        const end = at + 1 + length;
        this.needed = end - offset;
        return end;
      }
    }
    throw new MqttFrameError('MQTT_MALFORMED_LENGTH', 'MQTT remaining length longer than 4 bytes');
  }
}
