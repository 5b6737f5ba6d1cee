import diagnostics from 'node:diagnostics_channel';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { batchWritesPerTurn } from '../batched-writes.js';
import { closeAllClients, connectClient, startTestBroker } from './harness.js';

const TOPIC = 'v1/site/gw/meter-1/telemetry';
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A real aedes on loopback; every accepted socket batched as BrokerService does (unless `batched` is false). */
async function startAedes(
  batched = true,
): Promise<{ aedes: Aedes; server: Server; accepted: Socket[]; port: number }> {
  const aedes = await Aedes.createBroker();
  const accepted: Socket[] = [];
  const server = createServer((socket) => {
    accepted.push(socket);
    if (batched) batchWritesPerTurn(socket);
    aedes.handle(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { aedes, server, accepted, port: (server.address() as AddressInfo).port };
}

/** A bare MQTT 3.1.1 subscriber on a persistent session that records which PUBLISHes each socket read brought. */
async function rawSubscriber(
  port: number,
): Promise<{ socket: Socket; reads: number[][]; published: () => number[] }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const reads: number[][] = [];
  let current: number[] = [];
  const acked = { connack: false, suback: false };
  parser.on('packet', (packet: Packet) => {
    if (packet.cmd === 'connack') acked.connack = true;
    if (packet.cmd === 'suback') acked.suback = true;
    if (packet.cmd === 'publish') {
      current.push(Number(packet.payload.toString()));
      socket.write(mqttPacket.generate({ cmd: 'puback', messageId: packet.messageId as number }));
    }
  });
  socket.on('data', (chunk: Buffer) => {
    current = [];
    parser.parse(chunk);
    if (current.length > 0) reads.push(current);
  });
  const send = (packet: Packet) => socket.write(mqttPacket.generate(packet));
  send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: false,
    keepalive: 0,
    clientId: 'raw-sub',
  });
  send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'v1/#', qos: 1 }] });
  while (!acked.connack || !acked.suback) await nextTurn();
  return { socket, reads, published: () => reads.flat() };
}

/** The most bytes `socket` held between event-loop turns until stop(): 0 when every write went straight to the kernel. */
function watchMostHeld(socket: Socket): { stop(): number } {
  let mostHeld = 0;
  let sampling = true;
  const sample = () => {
    mostHeld = Math.max(mostHeld, socket.writableLength);
    if (sampling) setImmediate(sample);
  };
  sample();
  return {
    stop() {
      sampling = false;
      return mostHeld;
    },
  };
}

describe('batchWritesPerTurn on a real aedes', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function setUp(batched = true) {
    const broker = await startAedes(batched);
    const subscriber = await rawSubscriber(broker.port);
    cleanups.push(async () => {
      subscriber.socket.destroy();
      for (const socket of broker.accepted) socket.destroy();
      await new Promise<void>((resolve) => broker.server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.aedes.close(() => resolve()));
    });
    const toSubscriber = broker.accepted[0] as Socket;
    return { ...broker, subscriber, toSubscriber };
  }

  const publish = (aedes: Aedes, n: number) =>
    aedes.publish(
      { cmd: 'publish', topic: TOPIC, payload: Buffer.from(String(n)), qos: 1, retain: false, dup: false },
      () => undefined,
    );

  it('hands a burst of QoS 1 deliveries to the kernel together: they arrive in one read, in order', async () => {
    const { aedes, subscriber, toSubscriber } = await setUp();
    // aedes writes each delivery from a setImmediate of its own; what the socket holds between turns shows the batch.
    const held = watchMostHeld(toSubscriber);
    const burst = Array.from({ length: 20 }, (_, i) => i);
    for (const n of burst) publish(aedes, n);
    while (subscriber.published().length < burst.length) await nextTurn();
    expect(subscriber.published()).toEqual(burst);
    expect(held.stop()).toBeGreaterThan(10 * (TOPIC.length + 6));
    expect(subscriber.reads.length).toBe(1);
  });

  it('without it, aedes hands the same burst to the kernel one packet at a time (what the test above guards against)', async () => {
    const { aedes, subscriber, toSubscriber } = await setUp(false);
    const held = watchMostHeld(toSubscriber);
    for (let n = 0; n < 20; n++) publish(aedes, n);
    while (subscriber.published().length < 20) await nextTurn();
    expect(held.stop()).toBe(0);
  });

  it('does not hold a lone message: it leaves within the turn after it was written, with nothing else written', async () => {
    const { aedes, subscriber, toSubscriber } = await setUp();
    let writtenInTurn: number | undefined;
    let turn = 0;
    let counting = true;
    const count = () => {
      turn++;
      if (writtenInTurn === undefined && toSubscriber.writableLength > 0) writtenInTurn = turn;
      if (counting) setImmediate(count);
    };
    count();
    publish(aedes, 7);
    let flushedInTurn: number | undefined;
    while (subscriber.published().length === 0) {
      await nextTurn();
      if (flushedInTurn === undefined && writtenInTurn !== undefined && toSubscriber.writableLength === 0) {
        flushedInTurn = turn;
      }
    }
    counting = false;
    expect(subscriber.published()).toEqual([7]);
    expect(writtenInTurn).toBeDefined();
    expect((flushedInTurn as number) - (writtenInTurn as number)).toBeLessThanOrEqual(1);
  });

  it('still reports back-pressure past the high-water mark', async () => {
    const { toSubscriber } = await setUp();
    // PINGRESPs, which the subscriber's parser takes and ignores.
    const big = Buffer.alloc(toSubscriber.writableHighWaterMark + 2, Buffer.from([0xd0, 0x00]));
    expect(toSubscriber.write(big)).toBe(false);
    await once(toSubscriber, 'drain');
  });
});

describe('BrokerService', () => {
  const INGEST = { username: 'ingest', password: 'ingest-password-1' };
  const GATEWAY = { username: 'gw-a', password: 'gateway-a-password' };

  it('batches the writes of every connection it accepts', async () => {
    // The broker's side of each connection, as Node accepts it.
    const accepted: Socket[] = [];
    const onAccepted = (message: unknown) => accepted.push((message as { socket: Socket }).socket);
    diagnostics.subscribe('net.server.socket', onAccepted);
    const broker = await startTestBroker([
      { ...INGEST, role: 'ingest', sites: ['*'] },
      { ...GATEWAY, role: 'gateway', sites: ['s'], gateway: 'gw-a' },
    ]);
    try {
      const subscriber = await connectClient(broker.service.mqttUrl, INGEST);
      await subscriber.subscribeAsync('v1/#', { qos: 1 });
      const received: string[] = [];
      subscriber.on('message', (_topic, payload) => received.push(payload.toString()));
      const publisher = await connectClient(broker.service.mqttUrl, { ...GATEWAY, clientId: 'gw-a' });
      const toSubscriber = accepted.find(
        (socket) => socket.remotePort === (subscriber.stream as Socket).localPort,
      );

      const held = watchMostHeld(toSubscriber as Socket);
      const burst = Array.from({ length: 20 }, (_, i) => String(i));
      await Promise.all(
        burst.map((n) => publisher.publishAsync('v1/s/gw-a/meter-1/telemetry', n, { qos: 1 })),
      );
      while (received.length < burst.length) await nextTurn();
      expect(received).toEqual(burst);
      // Unbatched, aedes hands each delivery to the kernel in the turn it writes it: nothing is held.
      expect(held.stop()).toBeGreaterThan(0);
    } finally {
      diagnostics.unsubscribe('net.server.socket', onAccepted);
      await closeAllClients();
      await broker.close();
    }
  });
});
