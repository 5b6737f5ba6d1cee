import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, waitFor } from '../../runtime/index.js';
import { ManagedInfluxd, rowsOf } from '../../stack/index.js';
import { HttpReceiver } from '../../test/support/index.js';
import { AlertingService } from '../service/alerting-service.js';
import { alertingConfigSchema } from '../service/config.js';
import { startBareBroker } from './support/broker.js';
import { CanonicalPublisher } from './support/canonical-publisher.js';
import { RETRYING_SOON } from './support/retrying-soon.js';

const DATABASE = 'village_test';

/**
 * The broker and InfluxDB restart under a running alerting service. It keeps running (an
 * unhandled error fails the run), says it is not ready while the broker is away, takes
 * events again once the broker is back, and writes the history of an alert raised while
 * InfluxDB was away once InfluxDB is back.
 */
describe('alerting while the broker and InfluxDB restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'alerting-dependency-restarts-'));
  const influxd = new ManagedInfluxd({ dataDir: join(dataDir, 'influxd') });
  const webhook = new HttpReceiver();
  let publisher = new CanonicalPublisher();
  let broker: Awaited<ReturnType<typeof startBareBroker>>;
  let service: AlertingService | undefined;

  const notified = (device: string) =>
    webhook.requests.some(
      (r) => r.body.includes(`"device":"${device}"`) && r.body.includes('"reason":"firing"'),
    );
  const historyOf = async (device: string) =>
    rowsOf(await influxd.query(DATABASE, `SELECT * FROM alert WHERE "device" = '${device}'`));

  const failedHistoryWrites = async () => {
    const text = await (await fetch(`${service!.httpUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('alerting_history_rows_total{outcome="write_failed"'));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  beforeAll(async () => {
    broker = await startBareBroker();
    await Promise.all([webhook.start(), influxd.start()]);
    const config = alertingConfigSchema.parse({
      mqtt: { url: broker.url, clientId: 'alerting-dependency-restarts-test' },
      http: { port: 0 },
      dataDir: join(dataDir, 'alerting'),
      tickMs: 50,
      api: { tokens: ['dependency-restarts-token-0123456789'] },
      webhookUrl: `${webhook.url}/hook`,
      influx: { url: influxd.url, database: DATABASE },
      notifications: { ...RETRYING_SOON },
    });
    service = new AlertingService(config, { logger: createLogger('alerting-test', { level: 'silent' }) });
    await service.start();
    await publisher.start(broker.url);
    await publisher.status('online');
    await waitFor('subscribed', () => service!.ready);
  });

  afterAll(async () => {
    await publisher.stop();
    await service?.stop();
    await broker?.stop();
    await webhook.stop();
    await influxd.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is not ready while the broker is away, and takes events again once it is back', async () => {
    const svc = service!;
    await publisher.event('canteen-fire-panel', 'fire_alarm');
    await waitFor('the first alarm notified', () => notified('canteen-fire-panel'));

    await publisher.stop();
    await broker.stop();
    await waitFor('not ready while the broker is away', () => !svc.ready);
    broker = await startBareBroker(broker.port);
    await waitFor('ready again', () => svc.ready, { timeoutMs: 15_000 });

    publisher = new CanonicalPublisher();
    await publisher.start(broker.url);
    await publisher.status('online');
    await publisher.event('fab-lab-fire-panel', 'fire_alarm');
    await waitFor('an alarm after the restart notified', () => notified('fab-lab-fire-panel'), {
      timeoutMs: 15_000,
    });
  });

  it('writes the history of an alert raised while InfluxDB was away once it is back', async () => {
    await waitFor(
      'history of the first alarm',
      async () => (await historyOf('canteen-fire-panel')).length > 0,
    );
    await influxd.stop();
    await publisher.event('incubator-fire-panel', 'fire_alarm');
    await waitFor('the alarm notified while InfluxDB is away', () => notified('incubator-fire-panel'));
    await waitFor('a history write failed', async () => (await failedHistoryWrites()) > 0);
    await influxd.start();
    const rows = await waitFor(
      'history of the alarm raised while InfluxDB was away',
      async () => {
        const found = await historyOf('incubator-fire-panel');
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(rows.map((row) => row.state)).toContain('firing');
  });
});
