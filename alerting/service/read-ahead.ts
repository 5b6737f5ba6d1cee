import type { IPublishPacket, MqttClient, Packet } from 'mqtt';
import mqttPacket from 'mqtt-packet';

interface TakenAhead<T> {
  topic: string;
  messageId: number | undefined;
  taken: T;
}

/**
 * Takes each PUBLISH of a connection as soon as its bytes arrive, ahead of mqtt.js.
 *
 * mqtt.js hands a connection's messages to `handleMessage` one at a time and the next
 * only once the last one's callback ran and its PUBACK went out. Alerting acknowledges
 * an event once what it changed is synced to disk, so every message waited for the sync
 * of the one before it: a fire alarm queued behind other events' syncs. Here a second
 * parser (mqtt-packet, the one mqtt.js uses) reads the same socket and `take`s each
 * PUBLISH at once, in the order the broker sent them; `handleMessage` then only `claim`s
 * what was taken and waits for it. PUBACKs still go in order, each once its message is
 * taken and synced; syncs of messages taken meanwhile are grouped.
 *
 * Bounded by the stream's back-pressure: the socket pauses while mqtt.js holds more than
 * its writable buffer (16 KiB) of unhandled bytes, and this reader sees only what the
 * socket emits. A message taken but not yet acknowledged when the connection drops comes
 * again from the broker (persistent session) and is taken again, as a message whose sync
 * was cut short always did.
 *
 * Public mqtt.js API only: the client's `stream`, as `connect()` returns and then at the
 * `packetsend` event of each reconnection's CONNECT (sent before the socket can have
 * delivered anything).
 */
export class ReadAhead<T> {
  private stream: MqttClient['stream'] | undefined;
  private taken: Array<TakenAhead<T>> = [];

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
    return this.taken.length;
  }

  /**
   * What `take` returned for this message when it arrived, or undefined when it was not
   * read ahead. Messages taken before it on the same connection and never claimed are
   * let go (mqtt.js hands over every PUBLISH, so there are none while the connection lives).
   */
  claim(packet: IPublishPacket): { taken: T } | undefined {
    const index = this.taken.findIndex(
      (ahead) => ahead.messageId === packet.messageId && ahead.topic === packet.topic,
    );
    if (index < 0) return undefined;
    const [ahead] = this.taken.splice(0, index + 1).slice(-1);
    return ahead && { taken: ahead.taken };
  }

  private attach(stream: MqttClient['stream']): void {
    // What the last connection read ahead is not acknowledged: the broker sends it again.
    this.stream = stream;
    this.taken = [];
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (packet) => {
      if (packet.cmd !== 'publish' || this.stream !== stream) return;
      this.taken.push({
        topic: packet.topic,
        messageId: packet.qos > 0 ? packet.messageId : undefined,
        taken: this.take(packet),
      });
    });
    // mqtt.js' own parser reads the same bytes, reports a malformed packet and closes the connection.
    parser.on('error', () => undefined);
    // Ahead of mqtt.js' own reader of the stream, which handles a chunk's first message at once.
    stream.prependListener('data', (chunk: Buffer) => {
      if (this.stream === stream) parser.parse(chunk);
    });
  }
}
