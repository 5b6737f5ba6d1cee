import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../runtime/index.js';
import { tryConnect } from './support/mqtt-outcome.js';
import { startTestBroker, type TestBroker } from '../support/index.js';

/**
 * Issue 20, low list: an edit of the credentials file that does not validate (a typo)
 * is refused and the previous credentials stay in force, so as not to lock every
 * gateway out; but a user removed in that edit could still connect, and nothing said
 * so. Now the broker reports itself not ready, and a metric shows it, until the file is
 * fixed.
 */
const GONE = { username: 'gw-gone', password: 'gw-gone-password-typo' };

describe('a credentials file saved with a typo', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker([
      { ...GONE, role: 'gateway', sites: ['s1'], gateway: 'gw-gone' },
      { username: 'admin', role: 'admin', sites: ['*'], password: 'admin-password-typo' },
    ]);
  });
  afterAll(async () => {
    await broker?.close();
  });

  const readiness = async () => {
    const response = await fetch(`${broker.service.httpUrl}/readyz`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const rejectedGauge = async () => {
    const text = await (await fetch(`${broker.service.httpUrl}/metrics`)).text();
    return Number(/^broker_credentials_file_rejected\{[^}]*\} (\d)/m.exec(text)?.[1]);
  };

  it('makes the broker not ready until the file is fixed, then the removed user is out', async () => {
    expect((await readiness()).status).toBe(200);
    const file = JSON.parse(await readFile(broker.credentialsFile, 'utf8')) as {
      credentials: Array<{ username: string }>;
    };
    const kept = file.credentials.filter((entry) => entry.username !== GONE.username);
    // The user removed, and a trailing comma: not JSON.
    await writeFile(
      broker.credentialsFile,
      `${JSON.stringify({ ...file, credentials: kept }).slice(0, -1)},}`,
    );
    await broker.service.reloadCredentials();
    const notReady = await readiness();
    expect(notReady.status).toBe(503);
    expect(JSON.stringify(notReady.body)).toContain('credentials');
    expect(await rejectedGauge()).toBe(1);

    await writeFile(broker.credentialsFile, JSON.stringify({ ...file, credentials: kept }));
    await broker.service.reloadCredentials();
    await waitFor('ready again', async () => (await readiness()).status === 200, { timeoutMs: 5_000 });
    expect(await rejectedGauge()).toBe(0);
    expect(await tryConnect(broker.service.mqttUrl, { ...GONE, clientId: 'gw-gone' })).toEqual({
      kind: 'refused',
      code: 4,
    });
  });
});
