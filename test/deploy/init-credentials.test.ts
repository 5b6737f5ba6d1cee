import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BrokerService, brokerConfigSchema, listCredentials, addCredential } from '../../broker/index.js';
import { loadInitConfig, serviceAccounts, syncCredentials } from '../../deploy/index.js';
import { createLogger } from '../../runtime/index.js';

const INGEST = 'ingest-password-0001';
const ALERTING = 'alerting-password-0001';
const GATEWAY = 'gateway-password-0001';

describe('the init container', () => {
  let dir: string;
  let file: string;
  const env = () => ({
    BROKER_CREDENTIALS_FILE: file,
    INGEST_MQTT_PASSWORD: INGEST,
    ALERTING_MQTT_PASSWORD: ALERTING,
    EDGE_UPSTREAM_PASSWORD: GATEWAY,
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'deploy-init-'));
    file = join(dir, 'broker', 'credentials.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the accounts of ingest, alerting and the demo gateway', async () => {
    const config = loadInitConfig({ env: env() });
    expect(await syncCredentials(config.credentialsFile, serviceAccounts(config))).toEqual({
      ingest: 'created',
      alerting: 'created',
      'gw-center': 'created',
    });
    expect(await listCredentials(file)).toEqual([
      { username: 'ingest', role: 'ingest', sites: ['demo-village'] },
      { username: 'alerting', role: 'alerting', sites: ['demo-village'] },
      { username: 'gw-center', role: 'gateway', sites: ['demo-village'], gateway: 'gw-center' },
    ]);
  });

  it('changes nothing on the next start, applies a changed password, and keeps other users', async () => {
    await addCredential(file, {
      username: 'gw-north',
      role: 'gateway',
      sites: ['demo-village'],
      gateway: 'gw-north',
    });
    const first = loadInitConfig({ env: env() });
    await syncCredentials(first.credentialsFile, serviceAccounts(first));
    expect(await syncCredentials(first.credentialsFile, serviceAccounts(first))).toEqual({
      ingest: 'unchanged',
      alerting: 'unchanged',
      'gw-center': 'unchanged',
    });
    const changed = loadInitConfig({ env: { ...env(), INGEST_MQTT_PASSWORD: 'a-new-ingest-password' } });
    expect((await syncCredentials(changed.credentialsFile, serviceAccounts(changed))).ingest).toBe('updated');
    expect((await listCredentials(file)).map((c) => c.username).sort()).toEqual(
      ['alerting', 'gw-center', 'gw-north', 'ingest'].sort(),
    );
  });

  it('refuses a short or missing password, naming the variable', () => {
    expect(() => loadInitConfig({ env: { ...env(), ALERTING_MQTT_PASSWORD: 'short' } })).toThrow(
      /alerting\.password \(from ALERTING_MQTT_PASSWORD\)/,
    );
    const { EDGE_UPSTREAM_PASSWORD: _omitted, ...withoutGateway } = env();
    expect(() => loadInitConfig({ env: withoutGateway })).toThrow(/ - gateway: /);
  });

  it('refuses a gateway that no site file has', () => {
    const config = loadInitConfig({ env: { ...env(), INIT_GATEWAY_ID: 'gw-nowhere' } });
    expect(() => serviceAccounts(config)).toThrow(/no site file has a gateway "gw-nowhere"/);
  });

  it('lets the services log in to a real broker with the passwords from .env', async () => {
    const config = loadInitConfig({ env: env() });
    await syncCredentials(config.credentialsFile, serviceAccounts(config));
    const broker = new BrokerService(
      brokerConfigSchema.parse({
        mqtt: { host: '127.0.0.1', port: 0 },
        http: { host: '127.0.0.1', port: 0 },
        credentialsFile: file,
        persistence: { dir: join(dir, 'broker', 'sessions') },
      }),
      { logger: createLogger('deploy-test', { level: 'silent' }) },
    );
    await broker.start();
    try {
      const options = { reconnectPeriod: 0, connectTimeout: 5_000 };
      const ingest = await mqtt.connectAsync(broker.mqttUrl, {
        ...options,
        username: 'ingest',
        password: INGEST,
      });
      expect(ingest.connected).toBe(true);
      await ingest.endAsync();
      await expect(
        mqtt.connectAsync(broker.mqttUrl, {
          ...options,
          username: 'gw-center',
          password: 'wrong-password-123',
        }),
      ).rejects.toThrow();
    } finally {
      await broker.stop();
    }
  });
});
