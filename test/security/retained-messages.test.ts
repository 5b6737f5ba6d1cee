import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeCredential } from '../../broker/index.js';
import { gatewayClientId, topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import { closed, type Received } from './support/mqtt-helpers.js';
import { tryConnect } from './support/mqtt-outcome.js';
import { startTestBroker, type TestBroker } from '../support/index.js';

/**
 * Issue 20, item 7: retained messages were never checked. A gateway could retain a
 * fire alarm, and the broker replayed it to every consumer that (re)subscribed, as if
 * new, even after the gateway's credential was gone.
 */
const USERS = [
  {
    username: 'gw-a',
    role: 'gateway' as const,
    sites: ['s1'],
    gateway: 'gw-a',
    password: 'gw-a-password-ret',
  },
  {
    username: 'gw-b',
    role: 'gateway' as const,
    sites: ['s1'],
    gateway: 'gw-b',
    password: 'gw-b-password-ret',
  },
  { username: 'alerting', role: 'alerting' as const, sites: ['s1'], password: 'alerting-password-ret' },
];
const passwordOf = (username: string) => USERS.find((u) => u.username === username)?.password ?? '';
const fireAlarm = (seq: number) => JSON.stringify({ ts: Date.now(), seq, type: 'fire_alarm', data: {} });

describe('retained messages', () => {
  let broker: TestBroker;
  const open = new Set<MqttClient>();

  const attempt = (username: string, options: IClientOptions = {}) =>
    tryConnect(broker.service.mqttUrl, { username, password: passwordOf(username), ...options });
  const connect = async (username: string, options: IClientOptions = {}) => {
    const outcome = await attempt(username, options);
    if (outcome.kind !== 'connected') throw new Error(`${username} could not connect: ${outcome.kind}`);
    open.add(outcome.client);
    return outcome.client;
  };
  /** A new consumer's view: what it receives, with the retain flag, after subscribing to `filter`. */
  const consumer = async (filter: string) => {
    const client = await connect('alerting', { clientId: `alerting-${Math.random()}` });
    const seen: Array<Received & { retain: boolean }> = [];
    client.on('message', (topic, payload, packet) =>
      seen.push({ topic, payload: payload.toString(), retain: packet.retain }),
    );
    await client.subscribeAsync(filter, { qos: 1 });
    return seen;
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

  it('refuses a retained event and stores nothing a new consumer would replay', async () => {
    const gateway = await connect('gw-a', { clientId: gatewayClientId('s1', 'gw-a') });
    const dropped = closed(gateway);
    gateway.publish(topics.event('s1', 'gw-a', 'panel-1'), fireAlarm(1), { qos: 1, retain: true });
    await dropped;

    const seen = await consumer(topics.event('s1', '+', '+'));
    const again = await connect('gw-a', { clientId: gatewayClientId('s1', 'gw-a') });
    await again.publishAsync(topics.event('s1', 'gw-a', 'panel-1'), fireAlarm(2), { qos: 1 });
    await waitFor('the live event', () => seen.some((m) => m.payload.includes('"seq":2')), {
      timeoutMs: 5_000,
    });
    expect(seen.filter((m) => m.retain)).toEqual([]);
  });

  it('refuses a will that would retain an event', async () => {
    const outcome = await attempt('gw-a', {
      clientId: gatewayClientId('s1', 'gw-a'),
      will: {
        topic: topics.event('s1', 'gw-a', 'panel-1'),
        payload: Buffer.from(fireAlarm(3)),
        qos: 1,
        retain: true,
      },
    });
    expect(outcome).toEqual({ kind: 'refused', code: 5 });
  });

  it('keeps a gateway’s retained status, and stops replaying it once the gateway’s credential is gone', async () => {
    for (const gateway of ['gw-a', 'gw-b']) {
      const client = await connect(gateway, { clientId: gatewayClientId('s1', gateway) });
      await client.publishAsync(topics.status('s1', gateway), `{"state":"online","by":"${gateway}"}`, {
        qos: 1,
        retain: true,
      });
      await client.endAsync();
      open.delete(client);
    }
    const before = await consumer(topics.status('s1', '+'));
    await waitFor('both statuses replayed', () => before.filter((m) => m.retain).length === 2, {
      timeoutMs: 5_000,
    });

    expect(await removeCredential(broker.credentialsFile, 'gw-b')).toBe(true);
    await broker.service.reloadCredentials();
    const after = await consumer(topics.status('s1', '+'));
    // gw-a's status comes; a live status from gw-a after it marks the end of the replay.
    const gwA = await connect('gw-a', { clientId: gatewayClientId('s1', 'gw-a') });
    await gwA.publishAsync(topics.status('s1', 'gw-a'), '{"state":"online","live":true}', { qos: 1 });
    await waitFor('the live status', () => after.some((m) => m.payload.includes('"live":true')), {
      timeoutMs: 5_000,
    });
    expect(after.filter((m) => m.retain).map((m) => m.topic)).toEqual([topics.status('s1', 'gw-a')]);
  });
});
