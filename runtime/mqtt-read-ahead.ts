import type { IPublishPacket, MqttClient, Packet } from 'mqtt';
import { MqttPublishReader } from './mqtt-publish-reader.js';

/** The packet id of a QoS 0 message, which has none. */
const NO_ID = -1;

/**
 * Takes each PUBLISH of a connection as soon as its bytes arrive, ahead of mqtt.js.
 *
 * mqtt.js hands a connection's messages to `handleMessage` one at a time and the next
 * only once the last one's callback ran and its PUBACK went out. A service that
 * acknowledges a message only once what it did with it is durable (alerting's sync to
 * disk, ingest's write to InfluxDB) would otherwise handle each message only after the
 * one before it was durable. Here a second reader (`MqttPublishReader`) reads the same
 * socket and `take`s each PUBLISH at once, in the order the broker sent them;
 * `handleMessage` then only `claim`s what was taken and calls back once it is durable.
 * PUBACKs still go in order, each after its own message's callback.
 *
 * Bounded by the stream's back-pressure: the socket pauses while mqtt.js holds more than
 * its writable buffer (16 KiB) of unhandled bytes, and this reader sees only what the
 * socket emits (a chunk at a time, so up to a socket read past the buffer). A message
 * taken but not yet acknowledged when the connection drops comes again from the broker
 * (persistent session) and is taken again. (Ingest, which reads on past that buffer,
 * takes PUBLISH packets out of mqtt.js' stream instead: `connectTapped`.)
 *
 * Public mqtt.js API only: the client's `stream`, as `connect()` returns and then at the
 * `packetsend` event of each reconnection's CONNECT (sent before the socket can have
 * delivered anything).
 */
export class ReadAhead<T> {
  private stream: MqttClient['stream'] | undefined;
  /**
   * What was taken, with each message's topic and packet id, as three lists rather than an
   * object per message: a message stays here until mqtt.js reaches it, after the one before it
   * is acknowledged (alerting: on disk), so each object held here was copied by every collection.
   */
  private taken: Array<T | undefined> = [];
  private topics: Array<string | undefined> = [];
  private messageIds: number[] = [];
  private head = 0;

  constructor(
    client: MqttClient,
    private readonly take: (packet: IPublishPacket) => T,
  ) {
    // mqtt.connect() has built the first connection's stream already; no byte can have arrived yet.
    if (client.stream) this.attach(client.stream);
    client.on('packetsend', (packet: Packet) => {
      if (packet.cmd === 'connect' && client.stream !== this.stream) this.attach(client.stream);
    });
  }

  /** Messages taken and not yet claimed (for tests and metrics). */
  get size(): number {
    return this.taken.length - this.head;
  }

  /**
   * What `take` returned for this message when it arrived, or undefined when it was not
   * read ahead. Messages taken before it on the same connection and never claimed are
   * let go (mqtt.js hands over every PUBLISH, so there are none while the connection lives).
   */
  claim(packet: IPublishPacket): { taken: T } | undefined {
    const messageId = packet.qos > 0 ? (packet.messageId ?? NO_ID) : NO_ID;
    for (let index = this.head; index < this.taken.length; index++) {
      if (this.messageIds[index] !== messageId || this.topics[index] !== packet.topic) continue;
      const taken = this.taken[index] as T;
      // Claimed slots are emptied at once, so what they hold is not kept until compaction.
      this.taken.fill(undefined, this.head, index + 1);
      this.topics.fill(undefined, this.head, index + 1);
      this.head = index + 1;
      // Compact now and then instead of shifting thousands of entries on every claim.
      if (this.head > 1024 && this.head * 2 > this.taken.length) {
        this.taken = this.taken.slice(this.head);
        this.topics = this.topics.slice(this.head);
        this.messageIds = this.messageIds.slice(this.head);
        this.head = 0;
      }
      return { taken };
    }
    return undefined;
  }

  private attach(stream: MqttClient['stream']): void {
    // What the last connection read ahead is not acknowledged: the broker sends it again.
    this.stream = stream;
    this.taken = [];
    this.topics = [];
    this.messageIds = [];
    this.head = 0;
    const reader = new MqttPublishReader((packet) => {
      if (this.stream !== stream) return;
      const taken = this.take(packet);
      this.taken.push(taken);
      this.topics.push(packet.topic);
      this.messageIds.push(packet.qos > 0 ? (packet.messageId ?? NO_ID) : NO_ID);
    });
    // Ahead of mqtt.js' own reader of the stream, which handles a chunk's first message at once.
    stream.prependListener('data', (chunk: Buffer) => {
      if (this.stream === stream) reader.push(chunk);
    });
  }
}
