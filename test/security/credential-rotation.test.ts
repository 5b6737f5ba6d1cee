import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCredential, removeCredential } from '../../broker/index.js';
import { topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import { closed, collect } from './support/mqtt-helpers.js';
import { tryConnect } from './support/mqtt-outcome.js';
import { startTestBroker, type TestBroker } from '../support/index.js';

const OLD = 'gw-rot-old-password';
const NEW = 'gw-rot-new-password';
const GATEWAY = { username: 'gw-rot', role: 'gateway' as const, sites: ['s'], gateway: 'gw-rot' };

/** Rotation and revocation through the credentials file while the broker keeps running (no reload call: the file watcher does it). */
describe('rotating and revoking a gateway’s password without restarting the broker', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker([
      { username: 'admin', role: 'admin', sites: ['*'], password: 'admin-password-rot' },
      { ...GATEWAY, password: OLD },
    ]);
  });

  afterAll(async () => {
    await broker?.close();
  });

  it('drops the connection made with the old password, then refuses the old one and accepts the new one', async () => {
    const url = broker.service.mqttUrl;
    const before = await tryConnect(url, { username: 'gw-rot', password: OLD, clientId: 'gw-rot' });
    if (before.kind !== 'connected') throw new Error('the gateway could not connect with its first password');
    const gone = closed(before.client);

    await addCredential(broker.credentialsFile, { ...GATEWAY, password: NEW, replace: true });
    await gone;
    expect(before.client.connected).toBe(false);

    expect(await tryConnect(url, { username: 'gw-rot', password: OLD })).toEqual({
      kind: 'refused',
      code: 4,
    });
    const after = await tryConnect(url, { username: 'gw-rot', password: NEW, clientId: 'gw-rot' });
    expect(after.kind).toBe('connected');
    if (after.kind !== 'connected') return;

    const admin = await tryConnect(url, { username: 'admin', password: 'admin-password-rot' });
    if (admin.kind !== 'connected') throw new Error('admin could not connect');
    const seen = collect(admin.client);
    await admin.client.subscribeAsync('v1/s/gw-rot/#', { qos: 1 });
    await after.client.publishAsync(topics.health('s', 'gw-rot'), 'after-rotation', { qos: 1 });
    await waitFor('publish with the new password', () => seen.some((m) => m.payload === 'after-rotation'), {
      timeoutMs: 5_000,
    });

    // Revocation: removing the gateway ends its session at once and it cannot come back.
    const revoked = closed(after.client);
    expect(await removeCredential(broker.credentialsFile, 'gw-rot')).toBe(true);
    await revoked;
    expect(await tryConnect(url, { username: 'gw-rot', password: NEW })).toEqual({
      kind: 'refused',
      code: 4,
    });
    await admin.client.endAsync(true);
  });
});
