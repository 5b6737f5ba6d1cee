import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertingService, alertingConfigSchema } from '../../alerting/index.js';
import { topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import { BareBroker, HttpReceiver, quietLogger } from '../support/index.js';

/**
 * Issue 20, low list: alerting's alert-history writer sent the InfluxDB user and password
 * as `u=` and `p=` in the query string, which proxies and access logs keep. A real HTTP
 * server stands in for InfluxDB 1.x and records what arrives.
 */
const USER = 'alerting-writer';
const PASSWORD = 'influx-history-S3cr3t-7';

describe("alerting's alert history writes to InfluxDB", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'security-influx-creds-'));
  const influx = new HttpReceiver({ status: 204, body: '' });
  const broker = new BareBroker();
  let service: AlertingService;

  beforeAll(async () => {
    await Promise.all([influx.start(), broker.start()]);
    service = new AlertingService(
      alertingConfigSchema.parse({
        mqtt: { url: broker.url, clientId: 'alerting-creds-test' },
        http: { port: 0 },
        dataDir,
        tickMs: 50,
        api: { token: 'api-token-0123456789abcdef' },
        publicUrl: 'http://alerting.example:9105',
        influx: { url: influx.url, database: 'village', username: USER, password: PASSWORD },
      }),
      { logger: quietLogger() },
    );
    await service.start();
    await waitFor('alerting subscribed', () => service.ready, { timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await service?.stop();
    await broker.stop();
    await influx.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends the credentials in an Authorization header, never in a URL', async () => {
    const gateway = await mqtt.connectAsync(broker.url);
    const event = { ts: Date.now(), seq: 1, type: 'fire_alarm', data: {} };
    await gateway.publishAsync(
      topics.event('demo-village', 'gw-center', 'canteen-fire-panel'),
      JSON.stringify(event),
      {
        qos: 1,
      },
    );
    await gateway.endAsync();
    await waitFor('an alert history write', () => influx.requests.some((r) => r.url.startsWith('/write')), {
      timeoutMs: 15_000,
    });
    const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    for (const request of influx.requests) {
      expect(request.url).not.toMatch(/[?&](u|p)=/);
      expect(request.url).not.toContain(PASSWORD);
      expect(request.body).not.toContain(PASSWORD);
      expect(request.headers.authorization).toBe(basic);
    }
  });
});
