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
let gateway: TestClient;
let ingest: IngestUnderTest | undefined;
const DEVICE = 'clinic-power';
const T0 = Date.now() - 60_000;

/** Seqs of the messages ingest acknowledged, in the order their PUBACKs reached the broker. */
const acked: number[] = [];
/** How many of the device's seqs InfluxDB held when each PUBACK arrived (queried right then). */
const storedAtAck: Array<Promise<number>> = [];

const countSeq = () =>
  influx.count(`SELECT count(distinct(seq)) FROM electricity WHERE device = '${DEVICE}'`);

beforeAll(async () => {
  await Promise.all([broker.start(), influx.start()]);
  broker.onAcknowledged((topic, payload) => {
    if (topic !== telemetryTopic(DEVICE)) return;
    acked.push((JSON.parse(payload.toString()) as { seq: number }).seq);
    storedAtAck.push(countSeq());
  });
  gateway = await TestClient.connect(broker.url);
});

afterAll(async () => {
  await gateway?.end();
  if (ingest) {
    await ingest.service.stop();
    removeDir(ingest.dir);
  }
  await broker.stop();
  await influx.stop();
});

/**
 * Ingest reads messages ahead of mqtt.js' one-at-a-time handover, so everything it holds
 * is on its way to InfluxDB at once; yet the broker may forget a message only once its
 * points are stored (a kill -9 then loses nothing), and PUBACKs go in the order received.
 */
describe('ingest acknowledges a message only once its points are stored', () => {
  it('sends no PUBACK while InfluxDB is down although every message is read, then each in order once stored', async () => {
    ingest = await startIngest(broker.url, influx.influxd.url, { 'mqtt.clientId': 'ingest-ack-after-store' });
    const service = ingest.service;
    await influx.influxd.stop();
    // ~50 KB of messages: more than mqtt.js' own 16 KiB buffer lets a connection read ahead.
    const total = 400;
    for (let seq = 1; seq <= total; seq++) {
      await gateway.publish(telemetryTopic(DEVICE), { ts: T0 + seq, seq, values: { voltage_v: 220 } });
    }
    // Read ahead: every message is in the write pipeline while the first one's write cannot succeed.
    await waitFor('every message read and buffered', () => service.bufferedPoints === total, {
      timeoutMs: 10_000,
    });
    expect(acked).toEqual([]);

    await influx.influxd.start();
    await waitFor('every message acknowledged', () => acked.length === total, { timeoutMs: 30_000 });
    expect(acked).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const stored = await Promise.all(storedAtAck);
    stored.forEach((count, i) => expect(count).toBeGreaterThanOrEqual(i + 1));
    expect(await countSeq()).toBe(total);
  });
});
