import { writeFile, readFile } from 'node:fs/promises';
import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import { collect, subscribeGranted } from './support/mqtt-helpers.js';
import { tryConnect } from './support/mqtt-outcome.js';
import { startTestBroker, type TestBroker } from '../support/index.js';

/**
 * Issue 20, item 1: a filter the broker refuses (SUBACK 128) must not be stored with
 * the session, and nothing may be forwarded to a client that its ACL does not let it
 * read, whatever the session store holds.
 */
const USERS = [
  { username: 'admin', role: 'admin' as const, sites: ['*'], password: 'admin-password-refused' },
  {
    username: 'gw-a',
    role: 'gateway' as const,
    sites: ['s1'],
    gateway: 'gw-a',
    password: 'gw-a-password-ref',
  },
  {
    username: 'gw-b',
    role: 'gateway' as const,
    sites: ['s1'],
    gateway: 'gw-b',
    password: 'gw-b-password-ref',
  },
  { username: 'watcher', role: 'admin' as const, sites: ['*'], password: 'watcher-password-ref' },
];
const passwordOf = (username: string) => USERS.find((u) => u.username === username)?.password ?? '';

/** Topics of other gateways, other services and other villages, each published at QoS 1. */
/** Topics of another village and of the services' own channels: outside a gateway's grant. */
const FOREIGN = [
  topics.alert('s2', 'fire-alarm'),
  topics.event('s2', 'gw-b', 'door-1'),
  topics.status('s2', 'gw-b'),
  topics.telemetry('s2', 'gw-x', 'meter-1'),
  topics.deadLetter('ingest'),
];

describe('refused filters and forwarding against the receiver ACL', () => {
  let broker: TestBroker;
  let admin: MqttClient;
  const open = new Set<MqttClient>();

  const connect = async (
    username: string,
    options: IClientOptions = {},
    created?: (client: MqttClient) => void,
  ) => {
    const outcome = await tryConnect(
      broker.service.mqttUrl,
      { username, password: passwordOf(username), ...options },
      created,
    );
    if (outcome.kind !== 'connected') throw new Error(`${username} could not connect: ${outcome.kind}`);
    open.add(outcome.client);
    return outcome.client;
  };
  /** Connects a persistent session again, collecting from before the CONNACK: its queue may come with it. */
  const reconnect = async (username: string, options: IClientOptions) => {
    let received: ReturnType<typeof collect> = [];
    const client = await connect(username, options, (created) => (received = collect(created)));
    return { client, received };
  };
  const end = async (client: MqttClient) => {
    open.delete(client);
    await client.endAsync();
  };

  /** Publishes every foreign topic (2 KiB each), then `marker` on `ownTopic`: it is queued last. */
  const publishForeignThenMarker = async (ownTopic: string, marker: string) => {
    const filler = 'x'.repeat(2048);
    for (const topic of FOREIGN) await admin.publishAsync(topic, `foreign ${topic} ${filler}`, { qos: 1 });
    await admin.publishAsync(ownTopic, marker, { qos: 1 });
  };

  /** Subscriptions the session store keeps for persistent sessions, from /metrics. */
  const storedSubscriptions = async () => {
    const text = await (await fetch(`${broker.service.httpUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('broker_stored_subscriptions{'));
    if (!line) throw new Error('no broker_stored_subscriptions in /metrics');
    return Number(line.split(' ')[1]);
  };

  beforeAll(async () => {
    broker = await startTestBroker(USERS);
    admin = await connect('admin', { clientId: 'admin-publisher' });
    open.delete(admin);
  });
  afterEach(async () => {
    await Promise.all([...open].map((client) => client.endAsync(true)));
    open.clear();
  });
  afterAll(async () => {
    await admin?.endAsync(true);
    await broker?.close();
  });

  it('a gateway that asked for # alongside its own prefix gets only its own topics after a reconnect', async () => {
    const session = { clientId: 'edge-s1-gw-a', clean: false };
    const first = await connect('gw-a', session);
    const granted = await subscribeGranted(first, ['v1/s1/gw-a/#', '#']);
    expect(granted).toEqual({ 'v1/s1/gw-a/#': 1, '#': 128 });
    await end(first);

    const marker = `marker-${Math.random()}`;
    await publishForeignThenMarker(topics.health('s1', 'gw-a'), marker);

    // Only the granted filter is kept for the absent gateway: the refused `#`, which would have
    // queued every message of every site for it, is not.
    expect(await storedSubscriptions()).toBe(1);

    const { received } = await reconnect('gw-a', session);
    await waitFor('the queued marker', () => received.some((m) => m.payload === marker), {
      timeoutMs: 10_000,
    });
    expect(received.map((m) => m.topic)).toEqual([topics.health('s1', 'gw-a')]);
  });

  it('a session whose credential was narrowed while away gets nothing its new grant does not allow', async () => {
    // `watcher` is an admin with a persistent subscription to everything...
    const session = { clientId: 'watcher-1', clean: false };
    const first = await connect('watcher', session);
    expect(await subscribeGranted(first, ['#'])).toEqual({ '#': 1 });
    await end(first);

    // ...then, while it is away, its credential becomes gateway gw-b's: messages
    // queued under the old grant must not reach it.
    const file = JSON.parse(await readFile(broker.credentialsFile, 'utf8')) as {
      credentials: Array<Record<string, unknown>>;
    };
    const marker = `marker-${Math.random()}`;
    await publishForeignThenMarker(topics.health('s1', 'watcher-gw'), marker);
    for (const entry of file.credentials) {
      if (entry.username === 'watcher')
        Object.assign(entry, { role: 'gateway', sites: ['s1'], gateway: 'watcher-gw' });
    }
    await writeFile(broker.credentialsFile, JSON.stringify(file));
    await broker.service.reloadCredentials();

    const { client: again, received } = await reconnect('watcher', session);
    // Its own prefix it may still read: subscribe to it so the marker path is open
    // for messages published from now on, and publish one to wait on.
    await again.subscribeAsync('v1/s1/watcher-gw/#', { qos: 1 });
    const after = `after-${Math.random()}`;
    await admin.publishAsync(topics.health('s1', 'watcher-gw'), after, { qos: 1 });
    await waitFor('the live marker', () => received.some((m) => m.payload === after), { timeoutMs: 10_000 });
    const foreign = received.filter((m) => !m.topic.startsWith('v1/s1/watcher-gw/'));
    expect(foreign).toEqual([]);
  });
});
