import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../runtime/index.js';
import { TcpProxy } from '../../test/support/index.js';
import {
  TestBroker,
  TestClient,
  TestInflux,
  removeDir,
  startIngest,
  telemetryTopic,
  type IngestUnderTest,
} from './support/harness.js';

const T0 = Date.now() - 60_000;

/**
 * InfluxDB's connections are reset under a running ingest (a proxy or NAT in between
 * dropping them, influxd's host rebooting its network) while readings come in: ingest
 * keeps running (an unhandled socket error fails the run), says on /readyz that it cannot
 * write, and writes every reading exactly once when the connections go through again.
 */
describe('ingest while InfluxDB connections are reset', () => {
  const broker = new TestBroker();
  const influx = new TestInflux();
  let proxy: TcpProxy;
  let gateway: TestClient;
  let ingest: IngestUnderTest | undefined;

  beforeAll(async () => {
    await Promise.all([broker.start(), influx.start()]);
    proxy = new TcpProxy(await freePort(), Number(new URL(influx.influxd.url).port));
    await proxy.start();
    gateway = await TestClient.connect(broker.url);
    ingest = await startIngest(broker.url, `http://127.0.0.1:${proxy.listenPort}`, {
      'mqtt.clientId': 'ingest-influx-resets',
    });
  });

  afterAll(async () => {
    await gateway?.end();
    if (ingest) {
      await ingest.service.stop();
      removeDir(ingest.dir);
    }
    await proxy?.stop();
    await broker.stop();
    await influx.stop();
  });

  const reading = (seq: number) =>
    gateway.publish(telemetryTopic('clinic-power'), {
      ts: T0 + seq,
      seq,
      values: { voltage_v: 220 + (seq % 10) },
    });
  const stored = () => influx.count(`SELECT count(voltage_v) FROM electricity WHERE device = 'clinic-power'`);
  const retries = async () => {
    const metrics = await (await fetch(`${ingest!.baseUrl}/metrics`)).text();
    return Number(/ingest_write_retries_total\{service="ingest"\} (\d+)/.exec(metrics)?.[1] ?? 0);
  };

  it('keeps running, is not ready while writes are reset, and writes every reading once afterwards', async () => {
    for (let seq = 1; seq <= 20; seq++) await reading(seq);
    await waitFor('the first readings stored', async () => (await stored()) === 20);

    proxy.resetting = true;
    for (let seq = 21; seq <= 60; seq++) await reading(seq);
    await waitFor('writes reset and retried', async () => proxy.resets >= 3 && (await retries()) >= 2);
    await waitFor('/readyz says InfluxDB cannot be written', async () => {
      const response = await fetch(`${ingest!.baseUrl}/readyz`);
      return response.status === 503 && (await response.text()).includes('influxdb');
    });

    proxy.resetting = false;
    await waitFor('every reading stored', async () => (await stored()) === 60, { timeoutMs: 20_000 });
    await waitFor('ready again', async () => (await fetch(`${ingest!.baseUrl}/readyz`)).status === 200);
    expect(await stored()).toBe(60);
  });
});
