import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeCredential } from '../../broker/index.js';
import { waitFor } from '../../runtime/index.js';
import { tryConnect, type ConnectOutcome } from './support/mqtt-outcome.js';
import { startTestBroker, type TestBroker } from '../support/index.js';

/**
 * Issue 20, item 6: a login whose password check is under way when its credential is
 * removed must not end up connected. The revocation sweep after a reload only saw
 * clients already registered; one still in its check (tens of ms of scrypt, longer in a
 * queue) was let in afterwards with the removed credential, and stayed.
 */
const VICTIM = { username: 'gw-gone', password: 'gw-gone-password-1' };

describe('a credential removed while its logins are being checked', () => {
  let broker: TestBroker;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    // One check at a time, so the logins below queue behind each other.
    broker = await startTestBroker([{ ...VICTIM, role: 'gateway', sites: ['s1'], gateway: 'gw-gone' }], {
      limits: { concurrentPasswordChecks: 1 },
    });
  });
  afterAll(async () => {
    for (const client of clients) client.end(true);
    await broker?.close();
  });

  it('leaves none of them connected', async () => {
    const attempts: Array<Promise<ConnectOutcome>> = Array.from({ length: 12 }, (_, i) =>
      tryConnect(broker.service.mqttUrl, { ...VICTIM, clientId: `gw-gone-${i}`, connectTimeout: 30_000 }),
    );
    // Once the first is in, the others wait for their checks: remove the credential now.
    await Promise.race(
      attempts.map((attempt) => attempt.then((o) => (o.kind === 'connected' ? o : new Promise(() => {})))),
    );
    expect(await removeCredential(broker.credentialsFile, VICTIM.username)).toBe(true);
    await broker.service.reloadCredentials();

    const outcomes = await Promise.all(attempts);
    const connected = outcomes.flatMap((o) => (o.kind === 'connected' ? [o.client] : []));
    clients.push(...connected);
    expect(outcomes.some((o) => o.kind === 'refused')).toBe(true);
    await waitFor('every login of the removed credential gone', () => connected.every((c) => !c.connected), {
      timeoutMs: 10_000,
    });
  });
});
