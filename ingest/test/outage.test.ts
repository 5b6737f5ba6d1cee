import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../runtime/index.js';
import {
  TestBroker,
  TestClient,
  TestInflux,
  removeDir,
  startIngest,
  telemetryTopic,
  type IngestUnderTest,
} from './support/harness.js';

const broker = new TestBroker();
const influx = new TestInflux();
const started: IngestUnderTest[] = [];
let gateway: TestClient;
const T0 = Date.now() - 120_000;

beforeAll(async () => {
  await Promise.all([broker.start(), influx.start()]);
  gateway = await TestClient.connect(broker.url);
});

afterAll(async () => {
  await gateway?.end();
  for (const ingest of started) {
    await ingest.service.stop();
    removeDir(ingest.dir);
  }
  await broker.stop();
  await influx.stop();
});

async function launch(overrides: Record<string, unknown> = {}): Promise<IngestUnderTest> {
  const ingest = await startIngest(broker.url, influx.influxd.url, overrides);
  started.push(ingest);
  return ingest;
}

const countSeq = (device: string) =>
  influx.count(`SELECT count(distinct(seq)) FROM electricity, water WHERE device = '${device}'`);

describe('ingest through InfluxDB and ingest outages', () => {
  it('writes every seq exactly once across a 5 s InfluxDB outage, holding back when its buffer is full', async () => {
    const ingest = await launch({ maxBufferedPoints: 100, batchSize: 50, 'mqtt.clientId': 'ingest-outage' });
    const total = 300;
    let restarted: Promise<void> | undefined;
    let mostBuffered = 0;
    for (let seq = 1; seq <= total; seq++) {
      mostBuffered = Math.max(mostBuffered, ingest.service.bufferedPoints);
      await gateway.publish(telemetryTopic('clinic-power'), {
        ts: T0 + seq,
        seq,
        values: { voltage_v: 220 + (seq % 10) },
      });
      if (seq === 50) {
        await influx.influxd.stop();
        restarted = new Promise((resolve) => setTimeout(resolve, 5000)).then(() => influx.influxd.start());
      }
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    await restarted;
    // Back-pressure: past 100 buffered points the next message is held unread (one point per message here).
    expect(mostBuffered).toBe(101);
    await waitFor('every seq in InfluxDB', async () => (await countSeq('clinic-power')) === total, {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    expect(await influx.count(`SELECT count(seq) FROM electricity WHERE device = 'clinic-power'`)).toBe(
      total,
    );
    expect((await fetch(`${ingest.baseUrl}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${ingest.baseUrl}/metrics`)).text();
    const retries = Number(/ingest_write_retries_total\{service="ingest"\} (\d+)/.exec(metrics)?.[1]);
    expect(retries).toBeGreaterThan(0);
    await waitFor('buffer drained', () => ingest.service.bufferedPoints === 0);
    await ingest.service.stop();
  });

  it('redelivers what a stopped ingest never acknowledged, and writes it once after restart', async () => {
    const clientId = 'ingest-restart';
    const first = await launch({ 'mqtt.clientId': clientId });
    await influx.influxd.stop();
    const total = 50;
    for (let seq = 1; seq <= total; seq++) {
      await gateway.publish(telemetryTopic('clinic-pressure'), {
        ts: T0 + seq,
        seq,
        values: { pressure_mpa: 0.2 },
      });
    }
    await waitFor('all messages buffered by the first ingest', () => first.service.bufferedPoints === total);
    await first.service.stop();
    await influx.influxd.start();
    expect(await countSeq('clinic-pressure')).toBe(0);

    const second = await launch({ 'mqtt.clientId': clientId });
    await waitFor('redelivered messages written', async () => (await countSeq('clinic-pressure')) === total, {
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    expect(await influx.count(`SELECT count(seq) FROM water WHERE device = 'clinic-pressure'`)).toBe(total);
    await second.service.stop();

    // The second ingest acknowledged what it wrote: a third one with the same session gets only new messages.
    const third = await launch({ 'mqtt.clientId': clientId });
    await gateway.publish(telemetryTopic('clinic-pressure'), {
      ts: T0 + 1000,
      seq: 1000,
      values: { pressure_mpa: 0.2 },
    });
    await waitFor('marker written', async () => (await countSeq('clinic-pressure')) === total + 1);
    const metrics = await (await fetch(`${third.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/ingest_messages_total\{kind="telemetry",service="ingest"\} 1\n/);
    await third.service.stop();
  });
});
