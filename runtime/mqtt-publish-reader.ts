import type { IPublishPacket } from 'mqtt';

/** PUBLISH is packet type 3 (MQTT 3.1.1 §3.3). */
const PUBLISH = 3;
/** Distinct topics a reader shares strings for; past this it forgets them all and starts again. */
const SHARED_TOPICS = 4096;

/**
 * Splits one connection's incoming bytes into MQTT 3.1.1 packets and reads each PUBLISH's
 * flags, topic, packet id and payload (a view of the bytes, not a copy); every other packet
 * is skipped. For a second reader of a stream mqtt.js already parses (`ReadAhead`): mqtt.js
 * validates every packet and closes the connection on a malformed one, so here a packet
 * that cannot be read only stops this reader until the next connection.
 *
 * Why not mqtt-packet's parser, which mqtt.js itself uses: for the bytes mqtt.js parses
 * anyway it allocated ~12 times what it hands over (a `bl` copy for every integer it reads,
 * an argument array for every `debug` call even with logging off), and ingest and alerting
 * read every message twice.
 */
export class MqttPublishReader {
  /** Bytes of a packet not complete yet, and how many its whole needs (0 while its header is incomplete). */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private needed = 0;
  private broken = false;
  /**
   * Each topic's string, so that every message of a topic gets the same one: a topic recurs
   * (one per device and kind) and a message is held until what was done with it is durable
   * (ingest: a write a second later), long enough for its own string to be copied by every
   * young-generation collection and then marked in the old generation.
   */
  private readonly topics = new Map<string, string>();

  constructor(private readonly onPublish: (packet: IPublishPacket) => void) {}

  push(chunk: Buffer): void {
    if (this.broken) return;
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
      if ((chunk[offset] as number) >> 4 === PUBLISH && !this.readPublish(chunk, offset, end)) {
        this.broken = true;
        return;
      }
      offset = end;
    }
    if (offset < chunk.length) {
      const rest = chunk.subarray(offset);
      this.pending = [rest];
      this.pendingLength = rest.length;
    }
  }

  /** Where the packet starting at `offset` ends; undefined while its length is not all here (or not valid). */
  private packetEnd(chunk: Buffer, offset: number): number | undefined {
    this.needed = 0;
    let length = 0;
    let multiplier = 1;
    // The remaining length: 1 to 4 bytes, 7 bits each, least significant first (§2.2.3).
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
    this.broken = true;
    return undefined;
  }

  private sharedTopic(topic: string): string {
    const shared = this.topics.get(topic);
    if (shared !== undefined) return shared;
    if (this.topics.size >= SHARED_TOPICS) this.topics.clear();
    this.topics.set(topic, topic);
    return topic;
  }

  /** False when the PUBLISH is malformed. */
  private readPublish(chunk: Buffer, start: number, end: number): boolean {
    const flags = (chunk[start] as number) & 0x0f;
    const qos = (flags >> 1) & 3;
    let at = start + 1;
    while (((chunk[at] as number) & 0x80) !== 0) at++;
    at++;
    if (qos === 3 || at + 2 > end) return false;
    const topicEnd = at + 2 + chunk.readUInt16BE(at);
    if (topicEnd + (qos > 0 ? 2 : 0) > end) return false;
    const topic = this.sharedTopic(chunk.toString('utf8', at + 2, topicEnd));
    const messageId = qos > 0 ? chunk.readUInt16BE(topicEnd) : undefined;
    const packet: IPublishPacket = {
      cmd: 'publish',
      topic,
      payload: chunk.subarray(qos > 0 ? topicEnd + 2 : topicEnd, end),
      qos: qos as 0 | 1 | 2,
      dup: (flags & 0x08) !== 0,
      retain: (flags & 0x01) !== 0,
    };
    if (messageId !== undefined) packet.messageId = messageId;
    this.onPublish(packet);
    return true;
  }
}
