import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, freePort } from '../../runtime/index.js';
import { BrokerService } from '../broker-service.js';
import { brokerConfigSchema, brokerEnvMap } from '../config.js';
import { closeAllClients, connectClient, connectRefusal, quietLogger, startTestBroker } from './harness.js';

describe('broker config', () => {
  it('has safe defaults', () => {
    const config = loadConfig({ schema: brokerConfigSchema, envMap: brokerEnvMap, env: {} });
    expect(config).toEqual({
      mqtt: { host: '127.0.0.1', port: 1883 },
      http: { host: '127.0.0.1', port: 9101 },
      credentialsFile: './data/broker/credentials.json',
      persistence: { backend: 'disk', dir: 'data/broker/sessions' },
      allowAnonymous: false,
      maxPayloadBytes: 1048576,
      limits: {
        maxConnections: 10_000,
        maxConnectionsPerAddress: 256,
        connectsPerSecondPerAddress: 20,
        connectsPerSecond: 200,
        failedLoginsPerMinutePerAddress: 30,
        failedLoginsPerMinutePerUser: 30,
        concurrentPasswordChecks: 2,
        waitingPasswordChecks: 100,
        persistentSessionsPerUser: 16,
        sessionExpirySeconds: 1_209_600,
      },
    });
  });

  it('reads every field from the environment', () => {
    const config = loadConfig({
      schema: brokerConfigSchema,
      envMap: brokerEnvMap,
      env: {
        BROKER_MQTT_HOST: '127.0.0.2',
        BROKER_MQTT_PORT: '18830',
        BROKER_HTTP_HOST: '0.0.0.0',
        BROKER_HTTP_PORT: '19101',
        BROKER_CREDENTIALS_FILE: '/etc/village/credentials.json',
        BROKER_ALLOW_ANONYMOUS: 'true',
        BROKER_MAX_PAYLOAD_BYTES: '1024',
        BROKER_PERSISTENCE: 'redis',
        BROKER_PERSISTENCE_DIR: '/var/lib/village/broker',
        BROKER_REDIS_URL: 'redis://redis:6379/2',
        BROKER_MAX_CONNECTIONS: '500',
        BROKER_MAX_CONNECTIONS_PER_ADDRESS: '50',
        BROKER_CONNECTS_PER_SECOND_PER_ADDRESS: '5',
        BROKER_CONNECTS_PER_SECOND: '50',
        BROKER_FAILED_LOGINS_PER_MINUTE_PER_ADDRESS: '10',
        BROKER_FAILED_LOGINS_PER_MINUTE_PER_USER: '12',
        BROKER_CONCURRENT_PASSWORD_CHECKS: '1',
        BROKER_WAITING_PASSWORD_CHECKS: '20',
        BROKER_PERSISTENT_SESSIONS_PER_USER: '4',
        BROKER_SESSION_EXPIRY_SECONDS: '86400',
      },
    });
    expect(config).toEqual({
      mqtt: { host: '127.0.0.2', port: 18830 },
      http: { host: '0.0.0.0', port: 19101 },
      credentialsFile: '/etc/village/credentials.json',
      persistence: {
        backend: 'redis',
        dir: '/var/lib/village/broker',
        redisUrl: 'redis://redis:6379/2',
      },
      allowAnonymous: true,
      maxPayloadBytes: 1024,
      limits: {
        maxConnections: 500,
        maxConnectionsPerAddress: 50,
        connectsPerSecondPerAddress: 5,
        connectsPerSecond: 50,
        failedLoginsPerMinutePerAddress: 10,
        failedLoginsPerMinutePerUser: 12,
        concurrentPasswordChecks: 1,
        waitingPasswordChecks: 20,
        persistentSessionsPerUser: 4,
        sessionExpirySeconds: 86_400,
      },
    });
  });

  it('names the bad field and its variable', () => {
    expect(() =>
      loadConfig({ schema: brokerConfigSchema, envMap: brokerEnvMap, env: { BROKER_MQTT_PORT: 'abc' } }),
    ).toThrow(/mqtt\.port \(from BROKER_MQTT_PORT\)/);
  });

  it('says the journal store is gone and what to use instead', () => {
    expect(() =>
      loadConfig({
        schema: brokerConfigSchema,
        envMap: brokerEnvMap,
        env: { BROKER_PERSISTENCE: 'journal' },
      }),
    ).toThrow(/persistence\.backend \(from BROKER_PERSISTENCE\): the journal store was removed: use disk/);
  });

  it('asks for the Redis URL when sessions are to live in Redis', () => {
    expect(() =>
      loadConfig({ schema: brokerConfigSchema, envMap: brokerEnvMap, env: { BROKER_PERSISTENCE: 'redis' } }),
    ).toThrow(/persistence\.redisUrl.*BROKER_REDIS_URL/s);
  });
});

describe('broker start-up', () => {
  let dir: string | undefined;
  afterEach(async () => {
    await closeAllClients();
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('refuses to start without credentials unless in dev mode, and frees its port', async () => {
    dir = await mkdtemp(join(tmpdir(), 'broker-empty-'));
    const port = await freePort();
    const config = brokerConfigSchema.parse({
      mqtt: { port },
      http: { port: 0 },
      credentialsFile: join(dir, 'credentials.json'),
      persistence: { dir: join(dir, 'sessions') },
    });
    const service = new BrokerService(config, { logger: quietLogger() });
    await expect(service.start()).rejects.toThrow(/broker\/cli\.ts add/);
    const again = new BrokerService({ ...config, allowAnonymous: true }, { logger: quietLogger() });
    await again.start();
    expect(again.mqttPort).toBe(port);
    await again.stop();
  });

  it('in dev mode lets anonymous clients in but still checks passwords of named users', async () => {
    const broker = await startTestBroker(
      [{ username: 'admin', role: 'admin', sites: ['*'], password: 'admin-password-1' }],
      { allowAnonymous: true },
    );
    try {
      const anonymous = await connectClient(broker.service.mqttUrl, { clientId: 'anon' });
      await anonymous.publishAsync('v1/s/anything/status', 'ok', { qos: 1 });
      expect(anonymous.connected).toBe(true);
      expect(
        await connectRefusal(broker.service.mqttUrl, { username: 'admin', password: 'wrong-password' }),
      ).toBe(4);
    } finally {
      await closeAllClients();
      await broker.close();
    }
  });
});
