import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import { addCredential, removeCredential } from '../credentials/credential-admin.js';
import { closed, connectClient, connectRefusal, watchedBrokerFixture } from './harness.js';

describe('credentials reloaded while the broker runs', () => {
  const watched = watchedBrokerFixture([
    { username: 'admin', role: 'admin', sites: ['*'], password: 'admin-password-1' },
  ]);

  it('lets a newly added user connect without a restart', async () => {
    const credentials = { username: 'gw-new', password: 'gw-new-password' };
    expect(await connectRefusal(watched.url, credentials)).toBe(4);
    await addCredential(watched.broker.credentialsFile, {
      username: 'gw-new',
      role: 'gateway',
      sites: ['s'],
      gateway: 'gw-new',
      password: credentials.password,
    });
    const client = await waitFor(
      'new user accepted',
      () => connectClient(watched.url, credentials).catch(() => undefined),
      { timeoutMs: 10_000 },
    );
    expect(client.connected).toBe(true);
  });

  it('disconnects a removed user at once, refuses it afterwards and drops its will', async () => {
    const password = 'gw-gone-password';
    await addCredential(watched.broker.credentialsFile, {
      username: 'gw-gone',
      role: 'gateway',
      sites: ['s'],
      gateway: 'gw-gone',
      password,
    });
    await watched.broker.service.reloadCredentials();
    const willTopic = topics.status('s', 'gw-gone');
    const gw = await connectClient(watched.url, {
      username: 'gw-gone',
      password,
      clientId: 'gw-gone',
      will: { topic: willTopic, payload: Buffer.from('offline'), qos: 1, retain: false },
    });
    const gone = closed(gw);
    expect(await removeCredential(watched.broker.credentialsFile, 'gw-gone')).toBe(true);
    await gone;
    expect(await connectRefusal(watched.url, { username: 'gw-gone', password })).toBe(4);

    const marker = topics.status('s', 'marker');
    await watched.admin.publishAsync(marker, 'after', { qos: 1 });
    await waitFor('marker', () => watched.seen.some((m) => m.topic === marker), { timeoutMs: 5_000 });
    expect(watched.seen.filter((m) => m.topic === willTopic)).toEqual([]);
  });

  it('disconnects a user whose password was changed', async () => {
    await addCredential(watched.broker.credentialsFile, {
      username: 'ops',
      role: 'alerting',
      sites: ['s'],
      password: 'first-password-1',
    });
    await watched.broker.service.reloadCredentials();
    const client = await connectClient(watched.url, {
      username: 'ops',
      password: 'first-password-1',
      clientId: 'ops',
    });
    const gone = closed(client);
    await addCredential(watched.broker.credentialsFile, {
      username: 'ops',
      role: 'alerting',
      sites: ['s'],
      password: 'second-password-2',
      replace: true,
    });
    await gone;
    const again = await waitFor('new password accepted', () =>
      connectClient(watched.url, { username: 'ops', password: 'second-password-2' }).catch(() => undefined),
    );
    expect(again.connected).toBe(true);
  });

  it('keeps the previous credentials when the file becomes invalid', async () => {
    await writeFile(watched.broker.credentialsFile, '{ not json');
    await watched.broker.service.reloadCredentials();
    const client = await connectClient(watched.url, {
      username: 'admin',
      password: 'admin-password-1',
      clientId: 'admin-2',
    });
    expect(client.connected).toBe(true);
    expect(watched.admin.connected).toBe(true);
  });
});
