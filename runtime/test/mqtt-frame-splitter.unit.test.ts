import { Duplex, PassThrough } from 'node:stream';
import fc from 'fast-check';
import type { IPublishPacket, Packet } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { MqttFrameError, MqttFrameSplitter } from '../mqtt-frame-splitter.js';
import { MqttPublishReader } from '../mqtt-publish-reader.js';
import { MqttPublishTap } from '../mqtt-publish-tap.js';

/** Packets with remaining lengths of 1 to 4 bytes (0–127, 128–16,383, 16,384–2,097,151, from 2,097,152). */
const packet = fc.oneof(
  fc.constantFrom<Packet>(
    { cmd: 'connack', returnCode: 0, sessionPresent: true },
    { cmd: 'suback', messageId: 3, granted: [1, 1] },
    { cmd: 'pingresp' },
  ),
  fc
    .record({
      payloadLength: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(16_380, 16_400, 2_097_200)),
      messageId: fc.integer({ min: 1, max: 65_535 }),
    })
    .map(({ payloadLength, messageId }): Packet => ({
      cmd: 'publish',
      topic: 't',
      qos: 1,
      messageId,
      dup: false,
      retain: false,
      payload: Buffer.alloc(payloadLength, payloadLength % 251),
    })),
);

function split(bytes: Buffer, readSizes: readonly number[], splitter: MqttFrameSplitter): void {
  for (let offset = 0, i = 0; offset < bytes.length; i++) {
    const size = readSizes[i % readSizes.length] as number;
    splitter.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
}

describe('MqttFrameSplitter', () => {
  it('hands over every packet whole, across reads or many in one read, whatever its length bytes', () => {
    fc.assert(
      fc.property(
        fc.array(packet, { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 40 }),
        (packets, readSizes) => {
          const generated = packets.map((p) => mqttPacket.generate(p));
          const frames: string[] = [];
          const splitter = new MqttFrameSplitter((chunk, start, end) =>
            frames.push(chunk.subarray(start, end).toString('hex')),
          );
          split(Buffer.concat(generated), readSizes, splitter);
          expect(frames).toEqual(generated.map((bytes) => bytes.toString('hex')));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('hands over many packets of one read without copying them', () => {
    const pings = Buffer.from([0xd0, 0x00, 0xd0, 0x00, 0xd0, 0x00]);
    const seen: Array<[Buffer, number, number]> = [];
    new MqttFrameSplitter((chunk, start, end) => seen.push([chunk, start, end])).push(pings);
    expect(seen).toEqual([
      [pings, 0, 2],
      [pings, 2, 4],
      [pings, 4, 6],
    ]);
  });

  it('throws a coded error for a remaining length longer than 4 bytes', () => {
    const splitter = new MqttFrameSplitter(() => undefined);
    const push = () => splitter.push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(push).toThrow(MqttFrameError);
    expect(push).toThrow(expect.objectContaining({ code: 'MQTT_MALFORMED_LENGTH' }));
  });
});

/** A socket stand-in: what the tap writes is read from `sent`; `receive` is what the broker would send. */
function fakeWire() {
  const sent = new PassThrough();
  const wire = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      sent.write(chunk);
      callback();
    },
  });
  return { wire, sent, receive: (bytes: Buffer) => wire.push(bytes) };
}

describe('MqttPublishTap', () => {
  const publish = (messageId: number, qos: 0 | 1 | 2 = 1) =>
    mqttPacket.generate({
      cmd: 'publish',
      topic: 'site/a',
      payload: Buffer.from(`m${messageId}`),
      qos,
      messageId,
      dup: false,
      retain: false,
    });

  it('takes PUBLISH packets out and passes every other packet to mqtt.js unchanged', async () => {
    const { wire, receive } = fakeWire();
    const taken: IPublishPacket[] = [];
    const tap = new MqttPublishTap(wire, new MqttPublishReader(), (p) => taken.push(p));
    const passed: Buffer[] = [];
    tap.on('data', (chunk: Buffer) => passed.push(chunk));
    const connack = mqttPacket.generate({ cmd: 'connack', returnCode: 0, sessionPresent: false });
    const pingresp = mqttPacket.generate({ cmd: 'pingresp' });
    receive(Buffer.concat([connack, publish(1), publish(2, 0), pingresp, publish(3)]));
    await new Promise((resolve) => setImmediate(resolve));
    expect(taken.map((p) => [p.messageId, p.payload.toString()])).toEqual([
      [1, 'm1'],
      [undefined, 'm2'],
      [3, 'm3'],
    ]);
    expect(Buffer.concat(passed)).toEqual(Buffer.concat([connack, pingresp]));
  });

  it.each([
    ['MQTT_MALFORMED_LENGTH', Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01])],
    ['MQTT_QOS2_REFUSED', publish(7, 2)],
    ['MQTT_MALFORMED_PUBLISH', Buffer.from([0x32, 0x03, 0x00, 0x09, 0x61])],
  ])('closes the connection with %s, and reads nothing after it', async (code, bytes) => {
    const { wire, receive } = fakeWire();
    const taken: IPublishPacket[] = [];
    const tap = new MqttPublishTap(wire, new MqttPublishReader(), (p) => taken.push(p));
    const closed = new Promise<Error>((resolve) => tap.on('error', resolve));
    receive(Buffer.concat([publish(1), bytes, publish(2)]));
    expect(await closed).toMatchObject({ code });
    expect(wire.destroyed).toBe(true);
    expect(taken.map((p) => p.messageId)).toEqual([1]);
  });

  it('writes what it is given to the socket in order with what mqtt.js writes', async () => {
    const { wire, sent } = fakeWire();
    const tap = new MqttPublishTap(wire, new MqttPublishReader(), () => undefined);
    const written: Buffer[] = [];
    sent.on('data', (chunk: Buffer) => written.push(chunk));
    tap.cork();
    tap.write(Buffer.from([0xc0]));
    tap.write(Buffer.from([0x00]));
    tap.write(Buffer.from([0x40, 0x02, 0x00, 0x01]));
    process.nextTick(() => tap.uncork());
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(written)).toEqual(Buffer.from([0xc0, 0x00, 0x40, 0x02, 0x00, 0x01]));
  });
});
