import { Duplex } from 'node:stream';
import type { IPublishPacket } from 'mqtt';
import { MqttFrameError, MqttFrameSplitter } from './mqtt-frame-splitter.js';
import { PUBLISH, type MqttPublishReader } from './mqtt-publish-reader.js';

/**
 * One connection's socket as mqtt.js sees it, with the PUBLISH packets taken out: every
 * QoS 0 and 1 PUBLISH goes to `onPublish` and never reaches mqtt.js, every other packet
 * (CONNACK, SUBACK, PINGRESP, the PUBACKs of mqtt.js' own publishes, …) is passed to it
 * unchanged. Whoever takes the PUBLISHes acknowledges them: `write` a whole PUBACK (or
 * several) in one call and it leaves in order with mqtt.js' own packets, which mqtt-packet
 * also writes whole within one synchronous turn.
 *
 * Why: mqtt.js hands a connection's messages over one at a time (the next only after the
 * last one's PUBACK) and parses each with mqtt-packet, which allocates many times the
 * message. A service that acknowledges only once a message is durable reads them itself.
 *
 * A QoS 2 PUBLISH is refused (the connection closes with MQTT_QOS2_REFUSED): it comes
 * only on a QoS 2 subscription, and its handshake would be mqtt.js' while its order among
 * the others would be ours. A malformed packet closes the connection with a coded error,
 * which mqtt.js reports on its `error` event before it reconnects.
 */
export class MqttPublishTap extends Duplex {
  private readonly splitter = new MqttFrameSplitter((chunk, start, end) => this.frame(chunk, start, end));

  constructor(
    private readonly wire: Duplex,
    private readonly reader: MqttPublishReader,
    private readonly onPublish: (packet: IPublishPacket) => void,
  ) {
    super({ allowHalfOpen: false });
    wire.on('data', (chunk: Buffer) => {
      try {
        this.splitter.push(chunk);
      } catch (error) {
        this.destroy(error as Error);
      }
    });
    wire.on('end', () => this.push(null));
    wire.on('error', (error) => this.destroy(error));
    wire.on('close', () => this.destroy());
  }

  /** Stops reading the socket (the taker holds too much); the broker's messages wait in TCP and its queue. */
  pauseReading(): void {
    this.wire.pause();
  }

  resumeReading(): void {
    if (!this.destroyed) this.wire.resume();
  }

  get readingPaused(): boolean {
    return this.wire.isPaused();
  }

  override _read(): void {
    // Packets are pushed as they arrive; the few that reach mqtt.js need no pacing.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.wire.write(chunk)) callback();
    else this.wire.once('drain', () => callback());
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.wire.cork();
    let flowing = true;
    for (const { chunk } of chunks) flowing = this.wire.write(chunk);
    this.wire.uncork();
    if (flowing) callback();
    else this.wire.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.wire.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.wire.destroy();
    callback(error);
  }

  private frame(chunk: Buffer, start: number, end: number): void {
    if (this.destroyed) return;
    const header = chunk[start] as number;
    if (header >> 4 !== PUBLISH) {
      this.push(chunk.subarray(start, end));
      return;
    }
    if (((header >> 1) & 3) === 2) {
      this.destroy(
        new MqttFrameError('MQTT_QOS2_REFUSED', 'a QoS 2 PUBLISH on a session that reads QoS 0 and 1 only'),
      );
      return;
    }
    const packet = this.reader.readPublish(chunk, start, end);
    if (packet) this.onPublish(packet);
    else this.destroy(new MqttFrameError('MQTT_MALFORMED_PUBLISH', 'malformed MQTT PUBLISH packet'));
  }
}
