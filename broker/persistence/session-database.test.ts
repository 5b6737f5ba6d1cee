import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterAll, describe, expect, it } from 'vitest';
import { recordBatches, type RecordedBatch } from '../test/recorded-batches.js';
import { createLevelPersistence } from './open-persistence.js';
import { sessionDatabase } from './session-database.js';

const root = mkdtempSync(join(tmpdir(), 'session-database-'));
let folders = 0;

/** The promise form of the persistence aedes is given (the calls used here). */
interface Sessions {
  setup(broker: { id: string }): Promise<void>;
  outgoingEnqueueCombi(subs: object[], packet: object): Promise<void>;
  outgoingUpdate(client: { id: string }, packet: object): Promise<void>;
  outgoingClearMessageId(client: { id: string }, packet: { messageId: number }): Promise<Packet | undefined>;
  outgoingStream(client: { id: string }): AsyncIterable<Packet>;
  storeRetained(packet: object): Promise<void>;
}
interface Packet {
  topic: string;
  payload: Buffer;
  messageId?: number;
  brokerCounter: number;
}

/** A real database whose reads are counted, and the session store on it as the broker opens it. */
async function openSessions(dir: string): Promise<{
  sessions: Sessions;
  reads: () => number;
  /** The batches written to LevelDB (the group commits), the keys in each and whether it was synced. */
  batches: RecordedBatch[];
  close: () => Promise<void>;
}> {
  const db = new ClassicLevel<string, Buffer>(dir, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
  await db.open();
  let reads = 0;
  const batches = recordBatches(db);
  const get = db.get.bind(db);
  db.get = ((...args: Parameters<typeof get>) => {
    reads += 1;
    return get(...args);
  }) as typeof db.get;
  const database = sessionDatabase(db);
  const sessions = createLevelPersistence(database) as Sessions;
  await sessions.setup({ id: 'broker-1' });
  return { sessions, reads: () => reads, batches, close: () => database.close() };
}

const client = { id: 'ingest-1' };
const publish = (counter: number) => ({
  cmd: 'publish',
  topic: 'v1/s/gw/meter/telemetry',
  payload: Buffer.from(`reading ${counter}`),
  qos: 1,
  retain: false,
  dup: false,
  brokerId: 'broker-1',
  brokerCounter: counter,
});

async function queued(sessions: Sessions): Promise<Packet[]> {
  const packets: Packet[] = [];
  for await (const packet of sessions.outgoingStream(client)) packets.push(packet);
  return packets;
}

describe('the session store (LevelDB through sessionDatabase)', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('sends and clears a persistent session’s messages without reading them back from LevelDB, and keeps the rest on disk', async () => {
    const dir = join(root, String(folders++));
    const first = await openSessions(dir);
    for (let counter = 1; counter <= 50; counter++) {
      await first.sessions.outgoingEnqueueCombi(
        [{ clientId: client.id, topic: '#', qos: 1 }],
        publish(counter),
      );
      // As aedes sends it: the packet id it goes out with.
      await first.sessions.outgoingUpdate(client, { ...publish(counter), messageId: 1000 + counter });
    }
    const cleared = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        first.sessions.outgoingClearMessageId(client, { messageId: 1001 + i }),
      ),
    );
    expect(cleared.map((packet) => packet?.payload.toString())).toEqual(
      Array.from({ length: 30 }, (_, i) => `reading ${i + 1}`),
    );
    // aedes-persistence-level reads a packet back on every send and every acknowledgement.
    expect(first.reads()).toBe(0);
    await first.close();

    const second = await openSessions(dir);
    const rest = await queued(second.sessions);
    expect(rest.map((packet) => [packet.payload.toString(), packet.messageId])).toEqual(
      Array.from({ length: 20 }, (_, i) => [`reading ${i + 31}`, 1031 + i]),
    );
    // After a restart they come from the disk, and acknowledging them clears them there.
    await second.sessions.outgoingClearMessageId(client, { messageId: 1031 });
    expect(second.reads()).toBeGreaterThan(0);
    await second.close();
    const third = await openSessions(dir);
    expect((await queued(third.sessions)).map((packet) => packet.brokerCounter)).toEqual(
      Array.from({ length: 19 }, (_, i) => i + 32),
    );
    await third.close();
  });

  it('syncs a queued message and a retained one, not the packet id a message went out with', async () => {
    const dir = join(root, String(folders++));
    const store = await openSessions(dir);
    const synced = (prefix: string) =>
      store.batches.filter((b) => b.keys.some((key) => key.startsWith(prefix))).map((b) => b.sync);
    await store.sessions.outgoingEnqueueCombi([{ clientId: client.id, topic: '#', qos: 1 }], publish(1));
    expect(synced('outgoing:')).toEqual([true]);
    await store.sessions.storeRetained({ ...publish(2), retain: true });
    expect(synced('retained:')).toEqual([true]);
    store.batches.length = 0;
    // Done once queued; the close writes it.
    await store.sessions.outgoingUpdate(client, { ...publish(1), messageId: 9 });
    await store.close();
    expect(store.batches).toEqual([
      { keys: [expect.stringMatching(/^outgoing-id:/), expect.stringMatching(/^outgoing:/)], sync: false },
    ]);
  });

  it('writes what it was asked to before it closes, the packet id a message went out with included', async () => {
    const dir = join(root, String(folders++));
    const first = await openSessions(dir);
    await first.sessions.outgoingEnqueueCombi([{ clientId: client.id, topic: '#', qos: 1 }], publish(7));
    // Done once queued (lost, it only means a new packet id): the shutdown must still write it.
    await first.sessions.outgoingUpdate(client, { ...publish(7), messageId: 42 });
    await first.close();
    const second = await openSessions(dir);
    expect((await queued(second.sessions)).map((packet) => packet.messageId)).toEqual([42]);
    await second.close();
  });
});
