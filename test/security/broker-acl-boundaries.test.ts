import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import { closed, collect, subscribeGranted, type Received } from './support/mqtt-helpers.js';
import { tryConnect } from './support/mqtt-outcome.js';
import { startTestBroker, type TestBroker } from '../support/index.js';

/** Two villages: s1 with gateways gw-a and gw-b, s2 with a gateway also called gw-a. */
const USERS = [
  { username: 'admin', role: 'admin' as const, sites: ['*'], password: 'admin-password-acl' },
  {
    username: 'gw-a',
    role: 'gateway' as const,
    sites: ['s1'],
    gateway: 'gw-a',
    password: 'gw-a-password-acl',
  },
  {
    username: 'gw-b',
    role: 'gateway' as const,
    sites: ['s1'],
    gateway: 'gw-b',
    password: 'gw-b-password-acl',
  },
  {
    username: 's2-gw-a',
    role: 'gateway' as const,
    sites: ['s2'],
    gateway: 'gw-a',
    password: 's2-gw-password-acl',
  },
  { username: 'ingest-s1', role: 'ingest' as const, sites: ['s1'], password: 'ingest-s1-password' },
  { username: 'alerting-s1', role: 'alerting' as const, sites: ['s1'], password: 'alerting-s1-password' },
];
const passwordOf = (username: string) => USERS.find((u) => u.username === username)?.password ?? '';

describe('broker ACL at the boundaries between gateways and villages', () => {
  let broker: TestBroker;
  let admin: MqttClient;
  let seen: Received[];
  const open = new Set<MqttClient>();

  const connect = async (username: string, clientId = `${username}-${open.size}`) => {
    const outcome = await tryConnect(broker.service.mqttUrl, {
      username,
      password: passwordOf(username),
      clientId,
    });
    if (outcome.kind !== 'connected') throw new Error(`${username} could not connect: ${outcome.kind}`);
    open.add(outcome.client);
    return outcome.client;
  };

  /** A marker through gw-b's own topic: once the admin has it, every earlier publish has been routed. */
  const flush = async () => {
    const marker = `marker-${Math.random()}`;
    const gwB = await connect('gw-b');
    await gwB.publishAsync(topics.health('s1', 'gw-b'), marker, { qos: 1 });
    await waitFor('marker at admin', () => seen.some((m) => m.payload === marker), { timeoutMs: 5_000 });
  };

  beforeAll(async () => {
    broker = await startTestBroker(USERS);
    const outcome = await tryConnect(broker.service.mqttUrl, {
      username: 'admin',
      password: passwordOf('admin'),
      clientId: 'admin-watch',
    });
    if (outcome.kind !== 'connected') throw new Error('admin could not connect');
    admin = outcome.client;
    seen = collect(admin);
    await admin.subscribeAsync(['v1/#', 'ops/#'], { qos: 1 });
    // Retained state another gateway must never see.
    const gwB = await connect('gw-b', 'gw-b-retained');
    await gwB.publishAsync(topics.status('s1', 'gw-b'), '{"state":"online"}', { qos: 1, retain: true });
    const s2 = await connect('s2-gw-a', 's2-retained');
    await s2.publishAsync(topics.status('s2', 'gw-a'), '{"state":"online"}', { qos: 1, retain: true });
  });

  afterEach(async () => {
    await Promise.all([...open].map((client) => client.endAsync(true)));
    open.clear();
  });

  afterAll(async () => {
    await admin?.endAsync(true);
    await broker?.close();
  });

  it('refuses a gateway every subscription outside its own prefix, and sends it nothing', async () => {
    const gw = await connect('gw-a');
    const got = collect(gw);
    const granted = await subscribeGranted(gw, [
      'v1/#',
      '#',
      '+/#',
      '$SYS/#',
      '$SYS/broker/clients/connected',
      'v1/s1/#',
      'v1/s1/+/status',
      'v1/s1/gw-b/#',
      'v1/s1/alerts/#',
      'v1/s2/gw-a/#',
      'ops/#',
      'v1/s1/gw-a/#',
    ]);
    expect(granted).toEqual({
      'v1/#': 128,
      '#': 128,
      '+/#': 128,
      '$SYS/#': 128,
      '$SYS/broker/clients/connected': 128,
      'v1/s1/#': 128,
      'v1/s1/+/status': 128,
      'v1/s1/gw-b/#': 128,
      'v1/s1/alerts/#': 128,
      'v1/s2/gw-a/#': 128,
      'ops/#': 128,
      'v1/s1/gw-a/#': 1,
    });
    await flush();
    await admin.publishAsync(topics.alert('s1', 'fire-alarm'), '{"state":"firing"}', { qos: 1 });
    await flush();
    expect(got.filter((m) => !m.topic.startsWith('v1/s1/gw-a/'))).toEqual([]);
    expect(gw.connected).toBe(true);
  });

  it.each([
    ['an alert of its own site', topics.alert('s1', 'fire-alarm')],
    ['the status of another gateway', topics.status('s1', 'gw-b')],
    ['the health of another gateway', topics.health('s1', 'gw-b')],
    ['a batch of another gateway', topics.batch('s1', 'gw-b')],
    ['its own gateway id in another village', topics.status('s2', 'gw-a')],
    ['a dead letter', topics.deadLetter('ingest')],
    ['a topic outside v1', 'cmd/s1/gw-a/reboot'],
  ])('drops a gateway’s publish to %s and disconnects it', async (_what, topic) => {
    const gw = await connect('gw-a');
    const gone = closed(gw);
    gw.publish(topic, 'forged', { qos: 1, retain: true });
    await gone;
    await flush();
    expect(seen.filter((m) => m.payload === 'forged')).toEqual([]);
  });

  it('refuses ingest of village s1 every filter that reaches village s2', async () => {
    const ingest = await connect('ingest-s1');
    const got = collect(ingest);
    const granted = await subscribeGranted(ingest, [
      'v1/s2/#',
      'v1/+/+/+/telemetry',
      'v1/+/+/status',
      'v1/#',
      '#',
      '$SYS/#',
      'ops/#',
      'v1/s1/#',
    ]);
    expect(granted).toEqual({
      'v1/s2/#': 128,
      'v1/+/+/+/telemetry': 128,
      'v1/+/+/status': 128,
      'v1/#': 128,
      '#': 128,
      '$SYS/#': 128,
      'ops/#': 128,
      'v1/s1/#': 1,
    });

    const s2 = await connect('s2-gw-a');
    await s2.publishAsync(topics.telemetry('s2', 'gw-a', 'meter-9'), 's2-reading', { qos: 1 });
    const gwA = await connect('gw-a');
    await gwA.publishAsync(topics.telemetry('s1', 'gw-a', 'meter-1'), 's1-reading', { qos: 1 });
    await waitFor('s1 reading at ingest', () => got.some((m) => m.payload === 's1-reading'), {
      timeoutMs: 5_000,
    });
    await flush();
    expect(got.filter((m) => !m.topic.startsWith('v1/s1/'))).toEqual([]);
    expect(seen.some((m) => m.payload === 's2-reading')).toBe(true);
  });

  it('lets alerting of s1 publish s1 alerts only', async () => {
    const alerting = await connect('alerting-s1');
    expect(await subscribeGranted(alerting, ['v1/s2/#', 'v1/s1/+/status'])).toEqual({
      'v1/s2/#': 128,
      'v1/s1/+/status': 1,
    });
    await alerting.publishAsync(topics.alert('s1', 'fire-alarm'), 'own-alert', { qos: 1 });
    const gone = closed(alerting);
    alerting.publish(topics.alert('s2', 'fire-alarm'), 'foreign-alert', { qos: 1 });
    await gone;
    await flush();
    expect(seen.filter((m) => m.payload === 'own-alert').map((m) => m.topic)).toEqual([
      'v1/s1/alerts/fire-alarm',
    ]);
    expect(seen.filter((m) => m.payload === 'foreign-alert')).toEqual([]);
  });
});
