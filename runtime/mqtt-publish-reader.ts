import type { IPublishPacket } from 'mqtt';
import { MqttFrameSplitter } from './mqtt-frame-splitter.js';

/** PUBLISH is packet type 3 (MQTT 3.1.1 §3.3). */
export const PUBLISH = 3;
/** Distinct topics a reader shares strings for; past this it forgets them all and starts again. */
const SHARED_TOPICS = 4096;

/**
 * Reads a PUBLISH packet's flags, topic, packet id and payload (a view of the bytes, not a
 * copy). `push` splits a connection's bytes into packets and reads each PUBLISH, skipping the
 * rest: for a second reader of a stream mqtt.js already parses (`ReadAhead`): mqtt.js
 * validates every packet and closes the connection on a malformed one, so here a packet
 * that cannot be read only stops this reader until the next connection.
 *
 * Why not mqtt-packet's parser, which mqtt.js itself uses: it allocates ~12 times what it
 * hands over (a `bl` copy for every integer it reads, an argument array for every `debug`
 * call even with logging off).
 */
export class MqttPublishReader {
  private broken = false;
  private readonly splitter = new MqttFrameSplitter((chunk, start, end) => {
    if ((chunk[start] as number) >> 4 !== PUBLISH || this.broken) return;
    const packet = this.readPublish(chunk, start, end);
    if (packet) this.onPublish(packet);
    else this.broken = true;
  });
  /**
   * Each topic's string, so that every message of a topic gets the same one: a topic recurs
   * (one per device and kind) and a message is held until what was done with it is durable
   * (ingest: a write a second later), long enough for its own string to be copied by every
   * young-generation collection and then marked in the old generation.
   */
  private readonly topics = new Map<string, string>();

  constructor(private readonly onPublish: (packet: IPublishPacket) => void = () => undefined) {}

  push(chunk: Buffer): void {
    if (this.broken) return;
    try {
      this.splitter.push(chunk);
    } catch {
      this.broken = true;
    }
  }

  /** The PUBLISH packet at `chunk[start, end)`, or undefined when it is malformed (QoS 3, lengths past its end). */
  readPublish(chunk: Buffer, start: number, end: number): IPublishPacket | undefined {
    const flags = (chunk[start] as number) & 0x0f;
    const qos = (flags >> 1) & 3;
    let at = start + 1;
    while (((chunk[at] as number) & 0x80) !== 0) at++;
    at++;
    if (qos === 3 || at + 2 > end) return undefined;
    const topicEnd = at + 2 + chunk.readUInt16BE(at);
    if (topicEnd + (qos > 0 ? 2 : 0) > end) return undefined;
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
    return packet;
  }

  private sharedTopic(topic: string): string {
    const shared = this.topics.get(topic);
    if (shared !== undefined) return shared;
    if (this.topics.size >= SHARED_TOPICS) this.topics.clear();
    this.topics.set(topic, topic);
    return topic;
  }
}
