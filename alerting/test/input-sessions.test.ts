import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { createLogger, waitFor } from '../../runtime/index.js';
import { HttpReceiver } from '../../test/support/index.js';
import { AlertingService } from '../service/alerting-service.js';
import { alertingConfigSchema, type AlertingConfig } from '../service/config.js';
import { startBareBroker } from './support/broker.js';
import { CanonicalPublisher, SITE } from './support/canonical-publisher.js';

const CLIENT_ID = 'alerting-sessions-test';

/**
 * Alerting takes events (and batches, which carry events) on a persistent QoS 1 session
 * and per-device readings on a clean QoS 0 connection: what is published while it is
 * down waits for it only if it is an event.
 */
describe('alerting input: events wait in the persistent session, readings do not', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'alerting-sessions-'));
  const webhook = new HttpReceiver();
  const publisher = new CanonicalPublisher();
  const logger = createLogger('alerting-test', { level: 'silent' });
  let broker: Awaited<ReturnType<typeof startBareBroker>>;
  let config: AlertingConfig;
  let service: AlertingService | undefined;

  const readingsCounted = async (svc: AlertingService) => {
    const text = await (await fetch(`${svc.httpUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('alerting_messages_total{kind="telemetry",outcome="accepted"'));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };
  const fireNotices = () =>
    webhook.requests.filter((r) => /"reason":"firing"/.test(r.body) && /"ruleId":"fire-alarm"/.test(r.body))
      .length;
  const startService = async () => {
    const svc = new AlertingService(config, { logger });
    service = svc;
    await svc.start();
    await waitFor('subscribed', () => svc.ready);
    return svc;
  };

  beforeAll(async () => {
    broker = await startBareBroker();
    await webhook.start();
    config = alertingConfigSchema.parse({
      mqtt: { url: broker.url, clientId: CLIENT_ID },
      http: { port: 0 },
      dataDir: join(dataDir, 'alerting'),
      tickMs: 50,
      api: { tokens: ['sessions-token-0123456789'] },
      webhookUrl: `${webhook.url}/hook`,
      notifications: { publishMqtt: false },
      engine: { flap: { maxChanges: 0 } },
    });
    await publisher.start(broker.url);
  });

  afterAll(async () => {
    await publisher.stop();
    await service?.stop();
    await broker?.stop();
    await webhook.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('drops the readings subscription a session of an earlier release kept, and still gets its events', async () => {
    // What alerting before the split left on the broker: everything on one persistent session.
    const old = await mqtt.connectAsync(broker.url, {
      clientId: CLIENT_ID,
      clean: false,
      reconnectPeriod: 0,
    });
    await old.subscribeAsync(
      {
        [topics.telemetry(SITE, '+', '+')]: { qos: 1 },
        [topics.event(SITE, '+', '+')]: { qos: 1 },
      },
      {},
    );
    await old.endAsync();

    const first = await startService();
    await first.stop({ crash: true });
    for (let i = 0; i < 20; i++) await publisher.telemetry('clinic-pressure', { pressure_mpa: 0.3 });
    await publisher.event('canteen-fire-panel', 'fire_alarm');

    const second = await startService();
    await waitFor('the fire alarm published while alerting was down', () => fireNotices() === 1);
    expect(await readingsCounted(second)).toBe(0);

    // Readings published while it runs arrive, on the readings connection.
    await publisher.telemetry('clinic-pressure', { pressure_mpa: 0.3 });
    await waitFor('a live reading', async () => (await readingsCounted(second)) === 1);
  });

  it('is not ready while its readings connection is down, and comes back by itself', async () => {
    const svc = service as AlertingService;
    expect(svc.ready).toBe(true);
    // Another client taking the readings connection's id makes the broker close it [MQTT-3.1.4-2].
    const intruder = await mqtt.connectAsync(broker.url, {
      clientId: `${CLIENT_ID}-readings`,
      reconnectPeriod: 0,
    });
    await waitFor('not ready without readings', () => !svc.ready);
    await intruder.endAsync(true);
    await waitFor('ready again', () => svc.ready, { timeoutMs: 15_000 });
    await publisher.telemetry('clinic-pressure', { pressure_mpa: 0.3 });
    await waitFor('a reading after the reconnect', async () => (await readingsCounted(svc)) === 2);
  });
});
