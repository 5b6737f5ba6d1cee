import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAlertingConfig } from '../../alerting/index.js';
import { addCredential, BrokerService, brokerConfigSchema, brokerEnvMap } from '../../broker/index.js';
import { Gateway, loadEdgeConfig } from '../../edge/index.js';
import { IngestService, loadIngestConfig } from '../../ingest/index.js';
import { createMetricsRegistry, createServiceHttp, loadConfig, freePort } from '../../runtime/index.js';
import { httpsRequest } from './support/https-request.js';
import { quietLogger } from '../support/index.js';
import { startSecurityAlerting, type SecurityAlerting } from './support/security-alerting.js';
import { createTestCa, type PemPair, type TestCa } from './support/test-ca.js';

const TOKEN = 'https-admin-token-0123456789';

let ca: TestCa;
let serverPem: PemPair;

beforeAll(() => {
  ca = createTestCa('https');
  serverPem = ca.server('service');
});

afterAll(() => ca?.remove());

describe('createServiceHttp with https', () => {
  it('serves /healthz over HTTPS and not over plain HTTP', async () => {
    const app = createServiceHttp({
      logger: quietLogger(),
      registry: createMetricsRegistry('https-test'),
      readiness: [],
      https: { certFile: serverPem.certFile, keyFile: serverPem.keyFile },
    });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.address() as { port: number };
      const answer = await httpsRequest(`https://127.0.0.1:${port}/healthz`, ca.ca);
      expect(answer).toEqual({ status: 200, body: '{"status":"ok"}' });
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      await app.close();
    }
  });

  it('refuses to start with a key file that is not there, naming it', () => {
    expect(() =>
      createServiceHttp({
        logger: quietLogger(),
        registry: createMetricsRegistry('https-test'),
        readiness: [],
        https: { certFile: serverPem.certFile, keyFile: '/nonexistent/service.key' },
      }),
    ).toThrow(/CONFIG_INVALID.*\/nonexistent\/service\.key/);
  });
});

describe('alerting API over HTTPS (ALERTING_HTTPS_CERT_FILE / ALERTING_HTTPS_KEY_FILE)', () => {
  let alerting: SecurityAlerting;

  beforeAll(async () => {
    const fromEnv = loadAlertingConfig({
      env: {
        ALERTING_API_TOKEN: TOKEN,
        ALERTING_HTTPS_CERT_FILE: serverPem.certFile,
        ALERTING_HTTPS_KEY_FILE: serverPem.keyFile,
      },
    });
    expect(fromEnv.http.https).toEqual({ certFile: serverPem.certFile, keyFile: serverPem.keyFile });
    alerting = await startSecurityAlerting({
      mqtt: { url: `mqtt://127.0.0.1:${await freePort()}` },
      api: { token: TOKEN },
      http: { host: '127.0.0.1', port: 0, https: fromEnv.http.https },
    });
  });

  afterAll(async () => {
    await alerting?.close();
  });

  it('answers an authenticated API call over HTTPS', async () => {
    expect(alerting.service.httpUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await httpsRequest(`${alerting.service.httpUrl}/api/alerts`, ca.ca, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ total: 0, alerts: [] });
    expect((await httpsRequest(`${alerting.service.httpUrl}/api/alerts`, ca.ca)).status).toBe(401);
  });

  it('is not trusted by a client that does not know the CA', async () => {
    const stranger = createTestCa('stranger');
    try {
      await expect(httpsRequest(`${alerting.service.httpUrl}/healthz`, stranger.ca)).rejects.toThrow(
        /certificate/i,
      );
    } finally {
      stranger.remove();
    }
  });
});

describe('broker probes over HTTPS (BROKER_HTTPS_CERT_FILE / BROKER_HTTPS_KEY_FILE)', () => {
  it('serves /readyz over HTTPS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'broker-https-'));
    const credentialsFile = join(dir, 'credentials.json');
    await addCredential(credentialsFile, {
      username: 'ingest',
      role: 'ingest',
      sites: ['*'],
      password: 'ingest-password-https',
    });
    const config = loadConfig({
      schema: brokerConfigSchema,
      envMap: brokerEnvMap,
      env: {
        BROKER_MQTT_PORT: '0',
        BROKER_HTTP_PORT: '0',
        BROKER_CREDENTIALS_FILE: credentialsFile,
        BROKER_PERSISTENCE_DIR: join(dir, 'sessions'),
        BROKER_HTTPS_CERT_FILE: serverPem.certFile,
        BROKER_HTTPS_KEY_FILE: serverPem.keyFile,
      },
    });
    const broker = new BrokerService(config, { logger: quietLogger() });
    try {
      await broker.start();
      expect(broker.httpUrl).toMatch(/^https:/);
      const answer = await httpsRequest(`${broker.httpUrl}/readyz`, ca.ca);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ status: 'ready', checks: { mqtt: true } });
    } finally {
      await broker.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('ingest probes over HTTPS (INGEST_HTTPS_CERT_FILE / INGEST_HTTPS_KEY_FILE)', () => {
  it('serves /healthz and /metrics over HTTPS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingest-https-'));
    const config = loadIngestConfig({
      env: {
        INGEST_MQTT_URL: `mqtt://127.0.0.1:${await freePort()}`,
        INFLUX_URL: `http://127.0.0.1:${await freePort()}`,
        INGEST_HTTP_PORT: '0',
        INGEST_DEAD_LETTER_FILE: join(dir, 'dead-letter.jsonl'),
        INGEST_HTTPS_CERT_FILE: serverPem.certFile,
        INGEST_HTTPS_KEY_FILE: serverPem.keyFile,
      },
    });
    const ingest = new IngestService(config, { logger: quietLogger(), drainTimeoutMs: 100 });
    try {
      await ingest.start();
      const base = `https://127.0.0.1:${ingest.httpPort}`;
      expect((await httpsRequest(`${base}/healthz`, ca.ca)).status).toBe(200);
      expect((await httpsRequest(`${base}/metrics`, ca.ca)).body).toContain('ingest_points_written_total');
    } finally {
      await ingest.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('gateway status page over HTTPS (EDGE_HTTPS_CERT_FILE / EDGE_HTTPS_KEY_FILE)', () => {
  it('serves the status page to a technician’s browser that trusts the CA', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edge-https-'));
    const config = loadEdgeConfig({
      env: {
        EDGE_HTTPS_CERT_FILE: serverPem.certFile,
        EDGE_HTTPS_KEY_FILE: serverPem.keyFile,
      },
      overrides: {
        site: 'https-site',
        gateway: 'gw-https',
        upstream: { url: `mqtt://127.0.0.1:${await freePort()}` },
        lan: { enabled: false },
        'http.port': 0,
        dataDir: dir,
      },
    });
    const gateway = new Gateway({ config, logger: quietLogger() });
    try {
      await gateway.start();
      const page = await httpsRequest(`https://127.0.0.1:${gateway.httpPort}/`, ca.ca);
      expect(page.status).toBe(200);
      expect(page.body).toContain('gw-https');
    } finally {
      await gateway.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
