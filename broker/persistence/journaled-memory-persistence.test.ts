import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Client, Subscription } from 'aedes';
import type { AedesPacket } from 'aedes-packet';
import { ClassicLevel } from 'classic-level';
import { afterAll, describe, expect, it } from 'vitest';
import { runAbstractPersistenceSuite } from '../test/abstract-persistence-suite.js';
import { z } from 'zod';
import { blockedMessageIdSchema, decodeRecord, encodeRecord, outgoingKey } from './journal-records.js';
import {
  createJournaledPersistence,
  JournaledMemoryPersistence,
  PAYLOADS_FOLDER,
} from './journaled-memory-persistence.js';

const root = mkdtempSync(join(tmpdir(), 'journaled-persistence-'));
let databases = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

const openDb = (dir = join(root, String(databases++))) =>
  new ClassicLevel<string, Buffer>(dir, { keyEncoding: 'utf8', valueEncoding: 'buffer' });

describe('aedes-persistence abstract suite: journaled memory (callback wrapper, what aedes uses)', () => {
  runAbstractPersistenceSuite(() => createJournaledPersistence(openDb()));
});

describe('aedes-persistence abstract suite: journaled memory (async instance)', () => {
  runAbstractPersistenceSuite(() => new JournaledMemoryPersistence(openDb()), true);
});

const client = (id: string) => ({ id }) as Client;
const publish = (brokerId: string, brokerCounter: number, topic: string, qos = 1) =>
  ({
    cmd: 'publish',
    topic,
    payload: Buffer.from(`${topic}#${brokerCounter}`),
    qos,
    retain: false,
    dup: false,
    brokerId,
    brokerCounter,
  }) as AedesPacket;

async function collect<T>(stream: Readable): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item as T);
  return items;
}

const describeQueue = (packets: AedesPacket[]) =>
  packets.map((p) => {
    const { cmd, brokerId, brokerCounter, messageId } = p;
    const topic = (p as { topic?: string }).topic;
    return { cmd, brokerId, brokerCounter, messageId, topic };
  });

async function opened(dir: string, brokerId: string): Promise<JournaledMemoryPersistence> {
  const persistence = new JournaledMemoryPersistence(openDb(dir));
  await persistence.setup({ id: brokerId });
  return persistence;
}

describe('JournaledMemoryPersistence after a restart', () => {
  it('has back subscriptions, retained messages, wills and each queued packet in its latest state', async () => {
    const dir = join(root, 'restart');
    const first = await opened(dir, 'broker-a');
    const ingest = client('ingest');
    const subs = [
      { topic: 'v1/+/+/+/telemetry', qos: 1 },
      { topic: 'v1/demo/#', qos: 1 },
      { topic: 'ops/#', qos: 0 },
    ] as Subscription[];
    await first.addSubscriptions(ingest, subs);
    await first.addSubscriptions(client('alerting'), [{ topic: 'v1/demo/#', qos: 1 }] as Subscription[]);
    await first.removeSubscriptions(client('alerting'), ['v1/demo/#']);
    await first.storeRetained({
      ...publish('broker-a', 0, 'v1/demo/gw-1/status'),
      retain: true,
    } as AedesPacket);
    await first.storeRetained({
      ...publish('broker-a', 0, 'v1/demo/gw-2/status'),
      retain: true,
    } as AedesPacket);
    await first.storeRetained({
      ...publish('broker-a', 0, 'v1/demo/gw-2/status'),
      payload: Buffer.alloc(0),
    } as AedesPacket);
    await first.putWill(client('gw-1'), publish('broker-a', 0, 'v1/demo/gw-1/status'));
    await first.putWill(client('gw-2'), publish('broker-a', 0, 'v1/demo/gw-2/status'));
    void first.delWill(client('gw-2'));

    for (let counter = 1; counter <= 6; counter++) {
      await first.outgoingEnqueueCombi(
        [{ clientId: 'ingest' }],
        publish('broker-a', counter, 'v1/demo/gw-1/m/telemetry'),
      );
    }
    // Delivered with packet ids 11..14; 11 and 13 acknowledged; 14 got PUBREC (QoS 2 style), 5 and 6 not sent.
    for (let counter = 1; counter <= 4; counter++) {
      await first.outgoingUpdate(ingest, {
        ...publish('broker-a', counter, 'x'),
        messageId: 10 + counter,
      } as AedesPacket);
    }
    await first.outgoingClearMessageId(ingest, { messageId: 11 } as AedesPacket);
    await first.outgoingClearMessageId(ingest, { messageId: 13 } as AedesPacket);
    await first.outgoingUpdate(ingest, { cmd: 'pubrel', messageId: 14 } as AedesPacket);
    const before = describeQueue(await collect<AedesPacket>(first.outgoingStream(ingest)));
    await first.destroy();

    const second = await opened(dir, 'broker-b');
    expect(await second.subscriptionsByClient(ingest)).toEqual(
      expect.arrayContaining(subs.map((sub) => expect.objectContaining(sub))),
    );
    expect(await second.subscriptionsByClient(client('alerting'))).toEqual([]);
    expect(await second.countOffline()).toEqual({ subsCount: 2, clientsCount: 1 });
    const matched = await second.subscriptionsByTopic('v1/demo/gw-1/m/telemetry');
    expect(matched.map((sub) => [sub.clientId, sub.topic]).sort()).toEqual([
      ['ingest', 'v1/+/+/+/telemetry'],
      ['ingest', 'v1/demo/#'],
    ]);

    const retained = await collect<AedesPacket & { topic: string; payload: Buffer }>(
      second.createRetainedStream('v1/demo/#'),
    );
    expect(retained.map((p) => [p.topic, p.payload.toString()])).toEqual([
      ['v1/demo/gw-1/status', 'v1/demo/gw-1/status#0'],
    ]);

    const will = await second.getWill(client('gw-1'));
    expect(will?.topic).toBe('v1/demo/gw-1/status');
    // Still the dead broker's will: aedes publishes it once that broker's heartbeat is missing.
    expect(will?.brokerId).toBe('broker-a');
    expect(await second.getWill(client('gw-2'))).toBeUndefined();

    const after = await collect<AedesPacket>(second.outgoingStream(ingest));
    expect(
      describeQueue(after).map(({ cmd, brokerCounter, messageId }) => [cmd, brokerCounter, messageId]),
    ).toEqual([
      ['publish', 2, 12],
      ['pubrel', 4, 14],
      ['publish', 5, undefined],
      ['publish', 6, undefined],
    ]);
    expect(before.map(({ cmd, messageId }) => [cmd, messageId])).toEqual(
      describeQueue(after).map(({ cmd, messageId }) => [cmd, messageId]),
    );
    expect((after[0] as AedesPacket & { payload: Buffer }).payload.toString()).toBe(
      'v1/demo/gw-1/m/telemetry#2',
    );

    // The replayed queue keeps working, and so does its journal: ack one, queue one, restart again.
    await second.outgoingClearMessageId(ingest, { messageId: 12 } as AedesPacket);
    await second.outgoingEnqueueCombi(
      [{ clientId: 'ingest' }],
      publish('broker-b', 1, 'v1/demo/gw-1/m/telemetry'),
    );
    await second.destroy();
    const third = await opened(dir, 'broker-c');
    const last = await collect<AedesPacket>(third.outgoingStream(ingest));
    expect(last.map((p) => [p.brokerId, p.brokerCounter])).toEqual([
      ['broker-a', 4],
      ['broker-a', 5],
      ['broker-a', 6],
      ['broker-b', 1],
    ]);
    await third.destroy();
  });

  it('keeps an acknowledged enqueue even when the process dies without destroy()', async () => {
    const dir = join(root, 'no-destroy');
    const db = openDb(dir);
    const first = new JournaledMemoryPersistence(db);
    await first.setup({ id: 'broker-a' });
    await first.addSubscriptions(client('ingest'), [{ topic: 't', qos: 1 }] as Subscription[]);
    await first.outgoingEnqueueCombi([{ clientId: 'ingest' }], publish('broker-a', 1, 't'));
    // What kill -9 leaves: what was acknowledged is written; only the handle is closed here.
    await db.close();
    const second = await opened(dir, 'broker-b');
    const queued = await collect<AedesPacket>(second.outgoingStream(client('ingest')));
    expect(queued.map((p) => p.brokerCounter)).toEqual([1]);
    await second.destroy();
  });
});

/** Every key in the database, in order. */
async function keysIn(dir: string): Promise<string[]> {
  const db = openDb(dir);
  await db.open();
  const keys = await db.keys().all();
  await db.close();
  return keys;
}

describe('JournaledMemoryPersistence record blocks', () => {
  it('writes a burst of queued messages as one block per client, and deletes it with its last acknowledgement', async () => {
    const dir = join(root, 'blocks');
    const db = openDb(dir);
    const keysPut: string[] = [];
    const batch = db.batch.bind(db) as (operations: { type: string; key: string }[]) => Promise<void>;
    (db as unknown as { batch: typeof batch }).batch = (operations) => {
      keysPut.push(...operations.filter((op) => op.type === 'put').map((op) => op.key));
      return batch(operations);
    };
    const first = new JournaledMemoryPersistence(db);
    await first.setup({ id: 'broker-a' });
    const [ingest, alerting] = [client('ingest'), client('alerting')];
    const subs = [{ clientId: ingest.id }, { clientId: alerting.id }];
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => first.outgoingEnqueueCombi(subs, publish('broker-a', i + 1, 't'))),
    );
    expect(keysPut).toEqual(['blk:0', 'blk:1']);
    for (let counter = 1; counter <= 50; counter++) {
      await first.outgoingUpdate(ingest, {
        ...publish('broker-a', counter, 't'),
        messageId: counter,
      } as AedesPacket);
    }
    for (let messageId = 1; messageId <= 20; messageId++) {
      await first.outgoingClearMessageId(ingest, { messageId } as AedesPacket);
    }
    // An awaited change commits the acknowledgements with it; then the process dies (kill -9).
    await first.addSubscriptions(ingest, [{ topic: 't', qos: 1 }] as Subscription[]);
    expect(keysPut.filter((key) => key.startsWith('bdel:'))).toHaveLength(1);
    await db.close();

    const second = await opened(dir, 'broker-b');
    const counters = async (session: Client) =>
      (await collect<AedesPacket>(second.outgoingStream(session))).map((p) => p.brokerCounter);
    const all = Array.from({ length: 50 }, (_, i) => i + 1);
    expect(await counters(ingest)).toEqual(all.slice(20));
    expect(await counters(alerting)).toEqual(all);
    for (const [session, from] of [
      [ingest, 21],
      [alerting, 1],
    ] as const) {
      for (let counter = from; counter <= 50; counter++) {
        const sent = { ...publish('broker-a', counter, 't'), messageId: counter } as AedesPacket;
        await second.outgoingUpdate(session, sent);
        await second.outgoingClearMessageId(session, sent);
      }
    }
    await second.destroy();
    expect((await keysIn(dir)).filter((key) => /^(blk|bdel|mblk|mbdel|out|mid):/.test(key))).toEqual([]);
  });
});

describe('JournaledMemoryPersistence record blocks, resent', () => {
  it('reads payloads that left RAM back from their shared block, each from its own place', async () => {
    const persistence = new JournaledMemoryPersistence(openDb(join(root, 'blocks-evicted')), {
      payloadRamBytes: 500,
    });
    await persistence.setup({ id: 'broker-a' });
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        persistence.outgoingEnqueueCombi([{ clientId: 'ingest' }], sizedPublish(i + 1, 100)),
      ),
    );
    // RAM lets a payload go once its record is written, which the budget hears just after.
    await new Promise((resolve) => setImmediate(resolve));
    expect(persistence.queueMemory.payloadsOnDiskOnly).toBeGreaterThan(90);
    const resent = await collect<AedesPacket>(persistence.outgoingStream(client('ingest')));
    expect(resent.map(payloadOf)).toEqual(
      Array.from({ length: 100 }, (_, i) => payloadOf(sizedPublish(i + 1, 100))),
    );
    await persistence.destroy();
  });
});

describe('JournaledMemoryPersistence enqueue order', () => {
  it('resolves many concurrent enqueues in call order, across several group commits', async () => {
    const persistence = await opened(join(root, 'order'), 'broker-a');
    const resolved: number[] = [];
    const enqueues: Promise<void>[] = [];
    for (let counter = 1; counter <= 2_000; counter++) {
      const subs = counter % 7 === 0 ? [] : [{ clientId: 'ingest' }, { clientId: `c${counter % 3}` }];
      enqueues.push(
        persistence.outgoingEnqueueCombi(subs, publish('broker-a', counter, 't')).then(() => {
          resolved.push(counter);
        }),
      );
      // Spread the calls over event-loop turns so they land in different batches.
      if (counter % 250 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(enqueues);
    expect(resolved).toEqual(Array.from({ length: 2_000 }, (_, i) => i + 1));
    await persistence.destroy();
  });
});

const payloadOf = (p: AedesPacket) => (p as AedesPacket & { payload: Buffer }).payload.toString();
/** A PUBLISH whose payload is `bytes` long (a gateway's batch rather than one reading). */
const sizedPublish = (counter: number, bytes: number) =>
  ({
    ...publish('broker-a', counter, 't'),
    payload: Buffer.from(`${counter}:`.padEnd(bytes, 'x')),
  }) as AedesPacket;

describe('JournaledMemoryPersistence RAM budget for queued payloads', () => {
  const bigPublish = (counter: number) => sizedPublish(counter, 1_000);

  // 1,000 bytes stay inside the records (under LOGGED_PAYLOAD_MIN_BYTES), 2,000 go to the payload log.
  it.each([1_000, 2_000])(
    'keeps %i-byte payloads in RAM up to its budget and reads older ones back when the queue is resent',
    async (bytes) => {
      const bigPublish = (counter: number) => sizedPublish(counter, bytes);
      const dir = join(root, `budget-${bytes}`);
      const ingest = client('ingest');
      const first = new JournaledMemoryPersistence(openDb(dir), { payloadRamBytes: 10_000 });
      await first.setup({ id: 'broker-a' });
      for (let counter = 1; counter <= 100; counter++) {
        await first.outgoingEnqueueCombi([{ clientId: 'ingest' }], bigPublish(counter));
      }
      expect(first.queueMemory.payloadBytes).toBeLessThanOrEqual(10_000);
      expect(first.queueMemory.payloadsOnDiskOnly).toBeGreaterThanOrEqual(90);

      const resent = await collect<AedesPacket>(first.outgoingStream(ingest));
      expect(resent.map(payloadOf)).toEqual(
        Array.from({ length: 100 }, (_, i) => bigPublish(i + 1)).map(payloadOf),
      );
      // aedes gives each resent packet an id (evicted ones too), then some are acknowledged.
      for (const [i, packet] of resent.entries()) {
        await first.outgoingUpdate(ingest, { ...packet, messageId: i + 1 } as AedesPacket);
      }
      for (let messageId = 1; messageId <= 30; messageId++) {
        await first.outgoingClearMessageId(ingest, { messageId } as AedesPacket);
      }
      expect(first.queueMemory.payloadsOnDiskOnly).toBeLessThanOrEqual(70);
      await first.destroy();

      const second = new JournaledMemoryPersistence(openDb(dir), { payloadRamBytes: 10_000 });
      await second.setup({ id: 'broker-b' });
      expect(second.queueMemory.payloadBytes).toBeLessThanOrEqual(10_000);
      expect(second.queueMemory.payloadsOnDiskOnly).toBeGreaterThanOrEqual(60);
      const after = await collect<AedesPacket>(second.outgoingStream(ingest));
      expect(after.map((p) => [p.brokerCounter, p.messageId, payloadOf(p)])).toEqual(
        Array.from({ length: 70 }, (_, i) => [i + 31, i + 31, payloadOf(bigPublish(i + 31))]),
      );
      await second.destroy();
    },
  );

  it('lets an acknowledged message go from the budget, so an online consumer never spills', async () => {
    const persistence = new JournaledMemoryPersistence(openDb(join(root, 'budget-online')), {
      payloadRamBytes: 5_000,
    });
    await persistence.setup({ id: 'broker-a' });
    const ingest = client('ingest');
    for (let counter = 1; counter <= 500; counter++) {
      await persistence.outgoingEnqueueCombi([{ clientId: 'ingest' }], bigPublish(counter));
      await persistence.outgoingUpdate(ingest, { ...bigPublish(counter), messageId: counter } as AedesPacket);
      await persistence.outgoingClearMessageId(ingest, { messageId: counter } as AedesPacket);
    }
    expect(persistence.queueMemory).toEqual({ payloadBytes: 0, payloadsOnDiskOnly: 0 });
    await persistence.destroy();
  });

  it('journals the id of a sent QoS 1 message only if it stays unacknowledged, a QoS 2 id at once', async () => {
    const db = openDb(join(root, 'deferred-ids'));
    // The `out:` keys whose ids were written, from the blocks of ids.
    const idsWritten: string[] = [];
    type Operation = { type: string; key: string; value?: Buffer };
    const batch = db.batch.bind(db) as unknown as (operations: Operation[]) => Promise<void>;
    (db as unknown as { batch: typeof batch }).batch = (operations) => {
      for (const { type, key, value } of operations) {
        if (type !== 'put' || !key.startsWith('mblk:')) continue;
        const ids = decodeRecord(z.array(blockedMessageIdSchema), key, value as Buffer);
        idsWritten.push(...ids.map((id) => id.key));
      }
      return batch(operations);
    };
    const persistence = new JournaledMemoryPersistence(db, { unackedIdDelayMs: 60_000 });
    await persistence.setup({ id: 'broker-a' });
    const ingest = client('ingest');
    const send = async (counter: number, qos: number) => {
      await persistence.outgoingEnqueueCombi(
        [{ clientId: 'ingest' }],
        publish('broker-a', counter, 't', qos),
      );
      await persistence.outgoingUpdate(ingest, {
        ...publish('broker-a', counter, 't', qos),
        messageId: counter,
      } as AedesPacket);
    };
    // Acknowledged in time: its id never reaches the disk.
    await send(1, 1);
    await persistence.outgoingClearMessageId(ingest, { messageId: 1 } as AedesPacket);
    // QoS 2: its id goes with the next write; a QoS 1 id still waits.
    await send(2, 2);
    await send(3, 1);
    await send(4, 1);
    expect(idsWritten).toEqual(['out:ingest:broker-a:2']);
    // Still unacknowledged when the broker stops: written then, and back after a restart.
    await persistence.destroy();
    expect(idsWritten).toEqual(['out:ingest:broker-a:2', 'out:ingest:broker-a:3', 'out:ingest:broker-a:4']);
    const second = await opened(join(root, 'deferred-ids'), 'broker-b');
    const queue = await collect<AedesPacket>(second.outgoingStream(ingest));
    expect(queue.map((p) => [p.brokerCounter, p.messageId])).toEqual([
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    await second.destroy();
  });
});

describe('JournaledMemoryPersistence payload log', () => {
  const batchPublish = (counter: number) => sizedPublish(counter, 1_200);
  const payloadFiles = (dir: string) => readdirSync(join(dir, PAYLOADS_FOLDER)).sort();
  const payloadBytesOnDisk = (dir: string) =>
    payloadFiles(dir).reduce((sum, name) => sum + statSync(join(dir, PAYLOADS_FOLDER, name)).size, 0);

  it('stores a payload queued for two sessions once, and both get it back after a restart', async () => {
    const dir = join(root, 'payload-shared');
    const first = await opened(dir, 'broker-a');
    for (let counter = 1; counter <= 5; counter++) {
      await first.outgoingEnqueueCombi(
        [{ clientId: 'ingest' }, { clientId: 'alerting' }],
        batchPublish(counter),
      );
    }
    // A single reading stays inside its record.
    await first.outgoingEnqueueCombi([{ clientId: 'ingest' }], publish('broker-a', 6, 't'));
    expect(payloadBytesOnDisk(dir)).toBe(5 * 1_200);
    await first.destroy();

    // Twice: what a start-up reads back, it must also keep for the next one.
    for (const brokerId of ['broker-b', 'broker-c']) {
      const restarted = await opened(dir, brokerId);
      for (const session of ['ingest', 'alerting']) {
        const queued = await collect<AedesPacket>(restarted.outgoingStream(client(session)));
        const expected = [1, 2, 3, 4, 5].map((c) => payloadOf(batchPublish(c)));
        if (session === 'ingest') expected.push('t#6');
        expect(queued.map(payloadOf)).toEqual(expected);
      }
      await restarted.destroy();
    }
  });

  it('deletes a segment once every session acknowledged what it holds', async () => {
    const dir = join(root, 'payload-segments');
    const persistence = new JournaledMemoryPersistence(openDb(dir), { segmentBytes: 2_000 });
    await persistence.setup({ id: 'broker-a' });
    const sessions = [client('ingest'), client('alerting')];
    for (let counter = 1; counter <= 10; counter++) {
      await persistence.outgoingEnqueueCombi(
        sessions.map((session) => ({ clientId: session.id })),
        batchPublish(counter),
      );
      for (const session of sessions) {
        await persistence.outgoingUpdate(session, {
          ...batchPublish(counter),
          messageId: counter,
        } as AedesPacket);
      }
    }
    // Two 1,200-byte payloads per segment.
    expect(payloadFiles(dir)).toHaveLength(5);
    for (let messageId = 1; messageId <= 6; messageId++) {
      await persistence.outgoingClearMessageId(sessions[0]!, { messageId } as AedesPacket);
    }
    // An awaited change commits the deletes too, after which a segment no record points into may go.
    await persistence.addSubscriptions(sessions[0]!, [{ topic: 'x', qos: 1 }] as Subscription[]);
    expect(payloadFiles(dir)).toHaveLength(5); // alerting has not acknowledged any yet
    for (let messageId = 1; messageId <= 6; messageId++) {
      await persistence.outgoingClearMessageId(sessions[1]!, { messageId } as AedesPacket);
    }
    await persistence.addSubscriptions(sessions[0]!, [{ topic: 'y', qos: 1 }] as Subscription[]);
    expect(payloadFiles(dir)).toHaveLength(2);
    await persistence.destroy();

    const after = await opened(dir, 'broker-b');
    const queued = await collect<AedesPacket>(after.outgoingStream(sessions[1]!));
    expect(queued.map(payloadOf)).toEqual([7, 8, 9, 10].map((c) => payloadOf(batchPublish(c))));
    await after.destroy();
  });

  it('reads queued payloads and ids from a journal written before the payload log and blocks', async () => {
    const dir = join(root, 'payload-inline');
    const db = openDb(dir);
    await db.open();
    const packet = { ...batchPublish(1), messageId: 42 } as unknown as Record<string, unknown>;
    await db.put(
      outgoingKey('ingest', 'broker-a', 1),
      encodeRecord({ clientId: 'ingest', seq: 0, brokerId: 'broker-a', brokerCounter: 1, packet }),
    );
    // Written before blocks too: one record per message, its id in a `mid:` record of its own.
    const second = { ...publish('broker-a', 2, 't') } as unknown as Record<string, unknown>;
    await db.put(
      outgoingKey('ingest', 'broker-a', 2),
      encodeRecord({ clientId: 'ingest', seq: 1, brokerId: 'broker-a', brokerCounter: 2, packet: second }),
    );
    await db.put('mid:ingest:broker-a:2', encodeRecord({ messageId: 43 }));
    await db.close();
    const persistence = await opened(dir, 'broker-b');
    const queued = await collect<AedesPacket>(persistence.outgoingStream(client('ingest')));
    expect(queued.map((p) => [p.messageId, payloadOf(p)])).toEqual([
      [42, payloadOf(batchPublish(1))],
      [43, 't#2'],
    ]);
    // Acknowledged, they go from the journal as records in blocks do.
    for (const messageId of [42, 43]) {
      await persistence.outgoingClearMessageId(client('ingest'), { messageId } as AedesPacket);
    }
    await persistence.destroy();
    expect((await keysIn(dir)).filter((key) => /^(out|mid):/.test(key))).toEqual([]);
  });
});
