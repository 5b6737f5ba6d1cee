import { writeFile } from 'node:fs/promises';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import { addCredential, removeCredential } from '../credentials/credential-admin.js';
import {
  closeAllClients,
  closed,
  collect,
  connectClient,
  connectRefusal,
  openClient,
  startTestBroker,
  type TestBroker,
} from './harness.js';

describe('credentials reloaded while the broker runs', () => {
  let broker: TestBroker;
  let url: string;
  let admin: MqttClient;
  let seen: Array<{ topic: string; payload: string }>;

  beforeAll(async () => {
    broker = await startTestBroker([
      { username: 'admin', role: 'admin', sites: ['*'], password: 'admin-password-1' },
    ]);
    url = broker.service.mqttUrl;
    admin = await openClient(url, {
      username: 'admin',
      password: 'admin-password-1',
      clientId: 'admin-watch',
    });
    seen = collect(admin);
    await admin.subscribeAsync('v1/#', { qos: 1 });
  });

  afterAll(async () => {
    await admin?.endAsync(true);
    await broker?.close();
  });

  afterEach(closeAllClients);

  it('lets a newly added user connect without a restart', async () => {
    const credentials = { username: 'gw-new', password: 'gw-new-password' };
    expect(await connectRefusal(url, credentials)).toBe(4);
    await addCredential(broker.credentialsFile, {
      username: 'gw-new',
      role: 'gateway',
      sites: ['s'],
      gateway: 'gw-new',
      password: credentials.password,
    });
    const client = await waitFor(
      'new user accepted',
      () => connectClient(url, credentials).catch(() => undefined),
      { timeoutMs: 10_000 },
    );
    expect(client.connected).toBe(true);
  });

  it('disconnects a removed user at once, refuses it afterwards and drops its will', async () => {
    const password = 'gw-gone-password';
    await addCredential(broker.credentialsFile, {
      username: 'gw-gone',
      role: 'gateway',
      sites: ['s'],
      gateway: 'gw-gone',
      password,
    });
    await broker.service.reloadCredentials();
    const willTopic = topics.status('s', 'gw-gone');
    const gw = await connectClient(url, {
      username: 'gw-gone',
      password,
      clientId: 'gw-gone',
      will: { topic: willTopic, payload: Buffer.from('offline'), qos: 1, retain: false },
    });
    const gone = closed(gw);
    expect(await removeCredential(broker.credentialsFile, 'gw-gone')).toBe(true);
    await gone;
    expect(await connectRefusal(url, { username: 'gw-gone', password })).toBe(4);

    const marker = topics.status('s', 'marker');
    await admin.publishAsync(marker, 'after', { qos: 1 });
    await waitFor('marker', () => seen.some((m) => m.topic === marker), { timeoutMs: 5_000 });
    expect(seen.filter((m) => m.topic === willTopic)).toEqual([]);
  });

  it('disconnects a user whose password was changed', async () => {
    await addCredential(broker.credentialsFile, {
      username: 'ops',
      role: 'alerting',
      sites: ['s'],
      password: 'first-password-1',
    });
    await broker.service.reloadCredentials();
    const client = await connectClient(url, {
      username: 'ops',
      password: 'first-password-1',
      clientId: 'ops',
    });
    const gone = closed(client);
    await addCredential(broker.credentialsFile, {
      username: 'ops',
      role: 'alerting',
      sites: ['s'],
      password: 'second-password-2',
      replace: true,
    });
    await gone;
    const again = await waitFor('new password accepted', () =>
      connectClient(url, { username: 'ops', password: 'second-password-2' }).catch(() => undefined),
    );
    expect(again.connected).toBe(true);
  });

  it('keeps the previous credentials when the file becomes invalid', async () => {
    await writeFile(broker.credentialsFile, '{ not json');
    await broker.service.reloadCredentials();
    const client = await connectClient(url, {
      username: 'admin',
      password: 'admin-password-1',
      clientId: 'admin-2',
    });
    expect(client.connected).toBe(true);
    expect(admin.connected).toBe(true);
  });
});
