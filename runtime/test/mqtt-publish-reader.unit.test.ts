import fc from 'fast-check';
import type { IPublishPacket, Packet } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { MqttPublishReader } from '../mqtt-publish-reader.js';

/** Packets a subscriber receives: PUBLISH at every QoS (payloads across the remaining length's byte counts) and the rest. */
const publish = fc
  .record({
    topic: fc.string({ unit: 'grapheme', maxLength: 40 }),
    payloadLength: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(16_380, 16_400, 2_097_200)),
    qos: fc.constantFrom(0, 1, 2),
    messageId: fc.integer({ min: 1, max: 65_535 }),
    dup: fc.boolean(),
    retain: fc.boolean(),
  })
  .map(({ payloadLength, qos, messageId, ...rest }): Packet => ({
    cmd: 'publish',
    ...rest,
    qos: qos as 0 | 1 | 2,
    payload: Buffer.alloc(payloadLength, payloadLength % 251),
    ...(qos > 0 ? { messageId, dup: rest.dup } : { dup: false }),
  }));
const other = fc.constantFrom<Packet>(
  { cmd: 'connack', returnCode: 0, sessionPresent: true },
  { cmd: 'suback', messageId: 3, granted: [1, 1] },
  { cmd: 'puback', messageId: 9 },
  { cmd: 'pingresp' },
  { cmd: 'pubrel', messageId: 400 },
);

/** What mqtt-packet's parser (the one mqtt.js uses) reads from the same bytes. */
function parsedByMqttPacket(bytes: Buffer): IPublishPacket[] {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const found: IPublishPacket[] = [];
  parser.on('packet', (packet) => {
    if (packet.cmd === 'publish') found.push(packet);
  });
  parser.parse(bytes);
  return found;
}

const comparable = (packet: IPublishPacket) => ({
  topic: packet.topic,
  qos: packet.qos,
  messageId: packet.qos > 0 ? packet.messageId : undefined,
  dup: packet.dup,
  retain: packet.retain,
  payload: Buffer.from(packet.payload).toString('hex'),
});

describe('MqttPublishReader', () => {
  it('reads every PUBLISH as mqtt-packet does, however the bytes are split into reads', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(publish, publish, other), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 40 }),
        (packets, readSizes) => {
          const bytes = Buffer.concat(packets.map((packet) => mqttPacket.generate(packet)));
          const read: IPublishPacket[] = [];
          const reader = new MqttPublishReader((packet) => read.push(packet));
          for (let offset = 0, i = 0; offset < bytes.length; i++) {
            const size = readSizes[i % readSizes.length] as number;
            reader.push(bytes.subarray(offset, offset + size));
            offset += size;
          }
          expect(read.map(comparable)).toEqual(parsedByMqttPacket(bytes).map(comparable));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stops at a malformed packet (mqtt.js closes the connection) and reads nothing after it', () => {
    const read: IPublishPacket[] = [];
    const reader = new MqttPublishReader((packet) => read.push(packet));
    const good = mqttPacket.generate({
      cmd: 'publish',
      topic: 'a',
      payload: Buffer.from('1'),
      qos: 1,
      messageId: 1,
      dup: false,
      retain: false,
    });
    // QoS 3 is not a QoS (§3.3.1.2).
    const bad = Buffer.from([0x36, 0x05, 0x00, 0x01, 0x62, 0x00, 0x02]);
    reader.push(Buffer.concat([good, bad, good]));
    reader.push(good);
    expect(read.map((packet) => packet.topic)).toEqual(['a']);
  });
});
