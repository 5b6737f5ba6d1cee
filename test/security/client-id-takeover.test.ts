import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gatewayClientId, topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import { collect } from './support/mqtt-helpers.js';
import { tryConnect, type ConnectOutcome } from './support/mqtt-outcome.js';
import { startTestBroker, type TestBroker } from '../support/index.js';

/**
 * Issue 20, item 2: a client id is bound to its credential. Another credential cannot
 * take over a service's or a gateway's session: not kick it off, not be handed its
 * queue, not make the broker publish its will.
 */
const USERS = [
  { username: 'admin', role: 'admin' as const, sites: ['*'], password: 'admin-password-takeover' },
  { username: 'ingest', role: 'ingest' as const, sites: ['s1'], password: 'ingest-password-takeover' },
  { username: 'alerting', role: 'alerting' as const, sites: ['s1'], password: 'alerting-password-takeover' },
  {
    username: 'gw-a',
    role: 'gateway' as const,
    sites: ['s1'],
    gateway: 'gw-a',
    password: 'gw-a-password-tko',
  },
  {
    username: 'gw-b',
    role: 'gateway' as const,
    sites: ['s1'],
    gateway: 'gw-b',
    password: 'gw-b-password-tko',
  },
];
const passwordOf = (username: string) => USERS.find((u) => u.username === username)?.password ?? '';
const EVENTS = topics.event('s1', '+', '+');

describe('client ids bound to credentials', () => {
  let broker: TestBroker;
  const open = new Set<MqttClient>();

  const attempt = async (
    username: string,
    options: IClientOptions,
    created?: (client: MqttClient) => void,
  ): Promise<ConnectOutcome> => {
    const outcome = await tryConnect(
      broker.service.mqttUrl,
      { username, password: passwordOf(username), ...options },
      created,
    );
    if (outcome.kind === 'connected') open.add(outcome.client);
    return outcome;
  };
  const connect = async (
    username: string,
    options: IClientOptions,
    created?: (client: MqttClient) => void,
  ) => {
    const outcome = await attempt(username, options, created);
    if (outcome.kind !== 'connected') throw new Error(`${username} could not connect: ${outcome.kind}`);
    return outcome.client;
  };
  /** Counts the times a client's connection closes. */
  const closes = (client: MqttClient) => {
    const count = { n: 0 };
    client.on('close', () => count.n++);
    return count;
  };
  /** A round trip through `client`'s own session: proves it is still the one connected. */
  const stillServes = async (client: MqttClient, topic: string) => {
    const marker = `alive-${Math.random()}`;
    const seen = collect(client);
    await client.subscribeAsync(topic, { qos: 1 });
    const admin = await connect('admin', { clientId: `admin-probe-${Math.random()}` });
    await admin.publishAsync(topic, marker, { qos: 1 });
    await waitFor(`${topic} round trip`, () => seen.some((m) => m.payload === marker), { timeoutMs: 5_000 });
  };

  beforeAll(async () => {
    broker = await startTestBroker(USERS);
  });
  afterEach(async () => {
    await Promise.all([...open].map((client) => client.endAsync(true)));
    open.clear();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it.each([
    ['gw-a', 'alerting'],
    ['gw-a', 'ingest-1'],
    ['admin', 'ingest-1'],
    ['ingest', gatewayClientId('s1', 'gw-b')],
    ['gw-a', gatewayClientId('s1', 'gw-b')],
    ['gw-a', 'gw-b'],
  ])('%s may not connect as %s, and the owner stays connected', async (attacker, clientId) => {
    const owner = clientId === 'alerting' ? 'alerting' : clientId.startsWith('ingest') ? 'ingest' : 'gw-b';
    const victim = await connect(owner, { clientId, clean: false });
    const victimCloses = closes(victim);
    const outcome = await attempt(attacker, { clientId, clean: false });
    expect(outcome).toEqual({ kind: 'refused', code: 2 });
    await stillServes(victim, owner === 'gw-b' ? 'v1/s1/gw-b/commands' : 'v1/s1/gw-a/status');
    expect(victimCloses.n).toBe(0);
  });

  it('a queued fire alarm waits for ingest, not for whoever claims its id', async () => {
    const ingest = await connect('ingest', { clientId: 'ingest-1', clean: false });
    await ingest.subscribeAsync(EVENTS, { qos: 1 });
    await ingest.endAsync();
    open.delete(ingest);

    const gateway = await connect('gw-a', { clientId: gatewayClientId('s1', 'gw-a') });
    const alarm = JSON.stringify({ ts: Date.now(), seq: 1, type: 'fire_alarm', data: {} });
    await gateway.publishAsync(topics.event('s1', 'gw-a', 'panel-1'), alarm, { qos: 1 });

    // gw-b claims ingest's session: refused, and nothing is delivered to (or acknowledged by) it.
    const thief = await attempt('gw-b', { clientId: 'ingest-1', clean: false });
    expect(thief.kind).toBe('refused');

    // Collecting from before the CONNACK: the queued alarm may arrive with it.
    let received: ReturnType<typeof collect> = [];
    await connect('ingest', { clientId: 'ingest-1', clean: false }, (client) => (received = collect(client)));
    await waitFor('the queued alarm', () => received.some((m) => m.payload === alarm), { timeoutMs: 5_000 });
  });

  it('claiming a gateway’s id does not make the broker publish its will', async () => {
    const alerting = await connect('alerting', { clientId: 'alerting', clean: false });
    const statuses = collect(alerting);
    await alerting.subscribeAsync(topics.status('s1', '+'), { qos: 1 });
    const gateway = await connect('gw-a', {
      clientId: gatewayClientId('s1', 'gw-a'),
      will: { topic: topics.status('s1', 'gw-a'), payload: Buffer.from('offline'), qos: 1, retain: false },
    });
    const gatewayCloses = closes(gateway);

    const impostor = await attempt('gw-b', { clientId: gatewayClientId('s1', 'gw-a') });
    expect(impostor.kind).toBe('refused');

    await stillServes(gateway, 'v1/s1/gw-a/commands');
    expect(gatewayCloses.n).toBe(0);
    expect(statuses.filter((m) => m.payload === 'offline')).toEqual([]);
  });

  it('two credentials using the same free-form id each keep their own session', async () => {
    const a = await connect('gw-a', { clientId: 'monitor' });
    const aCloses = closes(a);
    const b = await connect('gw-b', { clientId: 'monitor' });
    const bCloses = closes(b);
    await stillServes(a, 'v1/s1/gw-a/commands');
    await stillServes(b, 'v1/s1/gw-b/commands');
    expect([aCloses.n, bCloses.n]).toEqual([0, 0]);
  });
});
