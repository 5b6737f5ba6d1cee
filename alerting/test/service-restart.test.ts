import { callApi, hasFields, HttpReceiver } from '../../test/support/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, waitFor } from '../../runtime/index.js';
import { ManagedInfluxd, rowsOf } from '../../stack/index.js';
import { AlertingService } from '../service/alerting-service.js';
import { alertingConfigSchema, type AlertingConfig } from '../service/config.js';
import { startBareBroker } from './support/broker.js';
import { CanonicalPublisher } from './support/canonical-publisher.js';

const TOKEN = 'restart-token-0123456789';

describe('AlertingService survives a crash and writes history to InfluxDB', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'alerting-restart-'));
  const influxd = new ManagedInfluxd({ dataDir: join(dataDir, 'influxd') });
  const webhook = new HttpReceiver();
  const publisher = new CanonicalPublisher();
  const logger = createLogger('alerting-test', { level: 'silent' });
  let broker: Awaited<ReturnType<typeof startBareBroker>>;
  let config: AlertingConfig;
  let service: AlertingService | undefined;

  const keys = () => webhook.requests.map((r) => String(r.headers['idempotency-key']));
  const alertsOf = async (svc: AlertingService, query: string) =>
    (await callApi(svc.httpUrl, TOKEN, 'GET', `/api/alerts${query}`)).json.alerts as Array<
      Record<string, unknown>
    >;

  beforeAll(async () => {
    broker = await startBareBroker();
    await Promise.all([webhook.start(), influxd.start()]);
    config = alertingConfigSchema.parse({
      mqtt: { url: broker.url, clientId: 'alerting-restart-test' },
      http: { port: 0 },
      dataDir: join(dataDir, 'alerting'),
      tickMs: 50,
      api: { tokens: [TOKEN] },
      webhookUrl: `${webhook.url}/hook`,
      influx: { url: influxd.url, database: 'village_test' },
      notifications: { publishMqtt: false },
    });
    await publisher.start(broker.url);
  });

  afterAll(async () => {
    await publisher.stop();
    await service?.stop();
    await broker?.stop();
    await webhook.stop();
    await influxd.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps firing alerts firing and acknowledged ones acknowledged, and notifies nothing twice', async () => {
    const first = new AlertingService(config, { logger });
    service = first;
    await first.start();
    await waitFor('subscribed', () => first.ready);
    await publisher.event('clinic-door', 'door_forced', { door: 1 });
    await publisher.event('canteen-fire-panel', 'fire_alarm');
    await waitFor('two firing notifications', () => webhook.requests.length >= 2);
    const fire = (await alertsOf(first, '?state=firing')).find((a) => a.ruleId === 'fire-alarm');
    expect(fire).toBeDefined();
    const ack = await callApi(first.httpUrl, TOKEN, 'POST', `/api/alerts/${String(fire?.id)}/ack`, {
      comment: '现场确认，误报排查中',
    });
    expect(ack.status).toBe(200);
    await waitFor('acknowledged notification', () => webhook.requests.length >= 3);
    await waitFor('outbox drained', () => first.outbox.list(['pending', 'sending']).length === 0);

    // crash: sockets dropped, nothing flushed or compacted
    await first.stop({ crash: true });
    const second = new AlertingService(config, { logger });
    service = second;
    await second.start();
    await waitFor('resubscribed', () => second.ready);

    const firing = await alertsOf(second, '?state=firing');
    expect(firing.map((a) => a.ruleId).sort()).toEqual(['door-forced', 'fire-alarm']);
    const detail = (await callApi(second.httpUrl, TOKEN, 'GET', `/api/alerts/${String(fire?.id)}`)).json;
    expect(detail.ack).toMatchObject({ by: 'token:tokens.0', comment: '现场确认，误报排查中' });
    expect((detail.timeline as Array<{ type: string }>).map((e) => e.type)).toContain('acknowledged');

    // the same alarm again after the restart is the same alert; a new event still notifies once
    await publisher.event('canteen-fire-panel', 'fire_alarm');
    await publisher.event('shop-camera', 'camera_offline');
    await waitFor('camera notification', () =>
      webhook.requests.some((r) => JSON.parse(r.body).alert.ruleId === 'camera-offline'),
    );
    await waitFor('outbox drained again', () => second.outbox.list(['pending', 'sending']).length === 0);
    expect(new Set(keys()).size).toBe(keys().length);
    expect(
      webhook.requests.map((r) => `${JSON.parse(r.body).alert.ruleId}:${JSON.parse(r.body).reason}`).sort(),
    ).toEqual([
      'camera-offline:firing',
      'door-forced:firing',
      'fire-alarm:acknowledged',
      'fire-alarm:firing',
    ]);
    expect((await alertsOf(second, '?state=firing')).filter((a) => a.ruleId === 'fire-alarm')).toHaveLength(
      1,
    );
  });

  it('writes alert history rows to the alert measurement', async () => {
    const svc = service as AlertingService;
    await publisher.event('canteen-fire-panel', 'fire_reset');
    const rows = await waitFor('history rows', async () => {
      const result = rowsOf(
        await influxd.query('village_test', `SELECT * FROM alert WHERE "rule" = 'fire-alarm'`),
      );
      return rows_ready(result) ? result : undefined;
    });
    const states = rows.map((r) => r.state).sort();
    expect(states).toEqual(['acknowledged', 'firing', 'resolved']);
    const fireRow = rows.find((r) => r.state === 'firing');
    expect(fireRow).toMatchObject({
      site: 'demo-village',
      zone: 'dining',
      severity: 'critical',
      device: 'canteen-fire-panel',
    });
    expect(String(fireRow?.alert_id)).toMatch(/^al-/);
    // the zh boards show message_zh, the en boards message
    expect(String(fireRow?.message_zh)).toMatch(/^火警/);
    expect(String(fireRow?.message)).toMatch(/^fire alarm/);
    const ackRow = rows.find((r) => r.state === 'acknowledged');
    expect(ackRow?.ack_delay_s).toBeTypeOf('number');
    expect(ackRow?.ack_delay_s as number).toBeGreaterThanOrEqual(0);
    expect(fireRow?.ack_delay_s ?? null).toBeNull();
    expect((await alertsOf(svc, '?state=resolved')).map((a) => a.ruleId)).toContain('fire-alarm');
  });
});

function rows_ready(rows: Array<Record<string, unknown>>): boolean {
  const fields = ['alert_id', 'device', 'message', 'message_zh'];
  return ['firing', 'acknowledged', 'resolved'].every((state) =>
    rows.some(
      (r) =>
        r.state === state && hasFields(r, state === 'acknowledged' ? [...fields, 'ack_delay_s'] : fields),
    ),
  );
}
