import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'mqtt';
import type { Gateway } from '../gateway.js';
import { UpstreamBroker } from './support/upstream-broker.js';
import { startGateway, tempDir, testConfig } from './support/gateway-harness.js';

function tryConnect(port: number, credentials: { username?: string; password?: string }): Promise<string> {
  return new Promise((resolve) => {
    const client = connect(`mqtt://127.0.0.1:${port}`, { ...credentials, reconnectPeriod: 0 });
    client.once('connect', () => {
      client.end(true);
      resolve('accepted');
    });
    client.once('error', (error) => {
      client.end(true);
      resolve(`refused: ${error.message}`);
    });
  });
}

describe('LAN broker with users', () => {
  const upstream = new UpstreamBroker();
  let gateway: Gateway;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    dir = await tempDir();
    await upstream.start();
    gateway = await startGateway(
      testConfig(upstream.url, dir.path, {
        lan: { enabled: true, port: 0, users: [{ username: 'nvr', password: 'lan-secret' }] },
      }),
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstream.stop();
    await dir?.remove();
  });

  it('accepts a configured user and refuses anonymous and wrong passwords', async () => {
    expect(await tryConnect(gateway.lanPort, { username: 'nvr', password: 'lan-secret' })).toBe('accepted');
    expect(await tryConnect(gateway.lanPort, {})).toMatch(/^refused/);
    expect(await tryConnect(gateway.lanPort, { username: 'nvr', password: 'guess' })).toMatch(/^refused/);
  });
});
