import { RANGE_POLICY } from '../../storage/index.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicFilters } from '../../contracts/index.js';
import {
  IngestService,
  SiteDirectory,
  loadIngestConfig,
  toLineProtocol,
  validateMessage,
  type IngestConfig,
} from '../../ingest/index.js';
import { createLogger, waitFor } from '../../runtime/index.js';
import { ManagedInfluxd, rowsOf, type InfluxQueryResult } from '../../stack/index.js';
import { BareBroker, topicMatches } from '../support/index.js';
import { FUZZ_SEED } from './support/fuzz-options.js';
import { fuzzMessage, type FuzzMessage } from './support/village-messages.js';
import { expectedRead, pointArbitrary, storable } from './support/points.js';
import { metricSum } from './support/prometheus.js';
import { SITE, allowedSchema, village } from './support/village-schema.js';

const MESSAGES = 300;
const DATABASE = 'village';

const dir = mkdtempSync(join(tmpdir(), 'fuzz-ingest-'));
const deadLetterFile = join(dir, 'dead-letter.jsonl');
const broker = new BareBroker();
const influxd = new ManagedInfluxd({ dataDir: join(dir, 'influxd') });
let config: Readonly<IngestConfig>;
let ingest: IngestService;
let publisher: MqttClient;

beforeAll(async () => {
  await Promise.all([broker.start(), influxd.start()]);
  config = loadIngestConfig({
    env: {},
    overrides: {
      'mqtt.url': broker.url,
      'influx.url': influxd.url,
      'influx.database': DATABASE,
      'http.port': 0,
      deadLetterFile,
      flushIntervalMs: 100,
      maxBackoffMs: 500,
    },
  });
  ingest = new IngestService(config, {
    logger: createLogger('fuzz-ingest', { level: process.env.LOG_LEVEL ?? 'silent' }),
    drainTimeoutMs: 1000,
  });
  await ingest.start();
  await waitFor('ingest connected', () => ingest.mqttConnected, { timeoutMs: 10_000 });
  publisher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 100, connectTimeout: 5000 });
});

afterAll(async () => {
  await publisher?.endAsync(true);
  await ingest?.stop();
  await broker.stop();
  await influxd.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** What MQTT lets a client publish on ([MQTT-4.7.3]): no wildcards, no U+0000, well-formed UTF-8, not empty. */
function publishable(topic: string): boolean {
  return (
    topic.length > 0 &&
    !/[+#]/.test(topic) &&
    !topic.includes('\u0000') &&
    topic === Buffer.from(topic).toString('utf8')
  );
}

/** Publishes at QoS 1; topics a broker must refuse go over a throwaway connection, so the main one stays clean. */
async function publish({ topic, payload }: FuzzMessage): Promise<boolean> {
  if (publishable(topic)) {
    await publisher.publishAsync(topic, payload, { qos: 1 });
    return true;
  }
  const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 5000 });
  const acked = await Promise.race([
    client.publishAsync(topic, payload, { qos: 1 }).then(
      () => true,
      () => false,
    ),
    // The broker answers a malformed PUBLISH by closing the connection.
    new Promise<boolean>((resolve) => client.once('close', () => resolve(false))),
  ]);
  await client.endAsync(true);
  return acked;
}

const query = async (q: string, database = DATABASE): Promise<InfluxQueryResult> =>
  influxd.query(database, q);

/** `SHOW …` answers as measurement → first column of each row. */
/**
 * What SHOW … lists, by series name, without the storage setup's own configuration row
 * (RANGE_POLICY.measurement, which ingest writes on purpose for the dashboards): the
 * checks below are about where the fuzzed data went.
 */
async function shown(q: string, database = DATABASE): Promise<Map<string, string[]>> {
  const result = await query(q, database);
  const byName = new Map<string, string[]>();
  for (const series of result.results.flatMap((r) => r.series ?? [])) {
    if (series.name === RANGE_POLICY.measurement) continue;
    byName.set(
      series.name ?? '',
      (series.values ?? []).map((row) => String(row[0])).filter((name) => name !== RANGE_POLICY.measurement),
    );
  }
  return byName;
}

describe('ingest end to end under hostile MQTT traffic', () => {
  it('stores or dead-letters every delivered message, stays healthy, and keeps InfluxDB inside the schema', async () => {
    const now = Date.now();
    const messages = fc.sample(fuzzMessage(now), { seed: FUZZ_SEED, numRuns: MESSAGES });
    const filters = topicFilters.siteStreams(SITE);
    const context = { ...config, sites: new SiteDirectory([village]) };
    let delivered = 0;
    let expectedPoints = 0;
    let expectedLetters = 0;
    for (const message of messages) {
      const acked = await publish(message);
      if (!acked || !filters.some((filter) => topicMatches(filter, message.topic))) continue;
      delivered++;
      const outcome = validateMessage(message.topic, message.payload, context);
      expectedPoints += outcome.accepted.length;
      expectedLetters += outcome.rejected.length;
    }
    expect(delivered).toBeGreaterThan(MESSAGES / 2);
    expect(expectedPoints).toBeGreaterThan(20);
    expect(expectedLetters).toBeGreaterThan(50);

    const base = `http://127.0.0.1:${ingest.httpPort}`;
    // Settled when every delivered message is counted and nothing waits for InfluxDB; the state is kept for the failure message.
    const counts = (text: string) => ({
      messages: metricSum(text, 'ingest_messages_total'),
      buffered: metricSum(text, 'ingest_buffered_points'),
      written: metricSum(text, 'ingest_points_written_total'),
      deadLetters: metricSum(text, 'ingest_invalid_total'),
    });
    const settled = {
      messages: delivered,
      buffered: 0,
      written: expectedPoints,
      deadLetters: expectedLetters,
    };
    // The counter moves as a letter is refused, its line reaches the file a moment later (before the MQTT ack).
    const lettersOnDisk = () =>
      existsSync(deadLetterFile)
        ? readFileSync(deadLetterFile, 'utf8').split('\n').filter(Boolean).length
        : 0;
    let metrics = '';
    await waitFor(
      'ingest to settle every delivered message',
      async () => {
        metrics = await (await fetch(`${base}/metrics`)).text();
        const now = counts(metrics);
        return (
          now.messages === delivered &&
          now.buffered === 0 &&
          now.written + now.deadLetters >= expectedPoints + expectedLetters &&
          lettersOnDisk() >= expectedLetters
        );
      },
      { timeoutMs: 15_000 },
    ).catch(() => undefined);
    expect(counts(metrics)).toEqual(settled);
    const letters = lettersOnDisk();
    expect(metricSum(metrics, 'ingest_invalid_total', 'INGEST_FAILED')).toBe(0);
    expect(metricSum(metrics, 'ingest_invalid_total', 'INFLUX_REJECTED')).toBe(0);
    expect(letters).toBe(expectedLetters);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const measurements = [...(await shown('SHOW MEASUREMENTS')).values()].flat();
    expect(measurements.length).toBeGreaterThan(0);
    expect(measurements.filter((m) => !allowedSchema.measurements.has(m))).toEqual([]);
    for (const [measurement, keys] of await shown('SHOW TAG KEYS')) {
      expect({ measurement, unknown: keys.filter((k) => !allowedSchema.tagKeys.has(k)) }).toEqual({
        measurement,
        unknown: [],
      });
    }
    for (const [measurement, keys] of await shown('SHOW FIELD KEYS')) {
      const allowed = allowedSchema.fieldKeys.get(measurement) ?? new Set<string>();
      expect({ measurement, unknown: keys.filter((k) => !allowed.has(k)) }).toEqual({
        measurement,
        unknown: [],
      });
    }
    const dataMeasurements = measurements.map((m) => `"${m}"`).join(', ');
    const tagValues = rowsOf(await query(`SHOW TAG VALUES FROM ${dataMeasurements} WITH KEY =~ /.*/`));
    expect(tagValues.length).toBeGreaterThan(0);
    const outside = tagValues.filter(
      (row) => !allowedSchema.tagValues[String(row.key)]?.has(String(row.value)),
    );
    expect(outside).toEqual([]);
    const devices = rowsOf(await query('SHOW TAG VALUES WITH KEY = "device"')).map((row) =>
      String(row.value),
    );
    expect(devices.filter((d) => !allowedSchema.tagValues.device?.has(d))).toEqual([]);
  });

  it('round-trips fuzzed names and values through influxd exactly as the writer meant them', async () => {
    const database = 'lp_fuzz';
    await influxd.createDatabase(database);
    const points = fc
      .sample(pointArbitrary.filter(storable), { seed: FUZZ_SEED, numRuns: 150 })
      // A measurement of its own per point, so no two points share a series or a field's type.
      .map((point, i) => ({ ...point, measurement: `m${i}${point.measurement}` }));
    const response = await fetch(`${influxd.url}/write?db=${database}&precision=ms`, {
      method: 'POST',
      body: points.map(toLineProtocol).join('\n'),
    });
    expect({ status: response.status, body: await response.text() }).toEqual({ status: 204, body: '' });

    const expected = points.map(expectedRead);
    const measurements = [...(await shown('SHOW MEASUREMENTS', database)).values()].flat();
    expect(measurements.sort()).toEqual(expected.map((p) => p.measurement).sort());
    const tagKeys = await shown('SHOW TAG KEYS', database);
    const fieldKeys = await shown('SHOW FIELD KEYS', database);
    for (const point of expected) {
      expect({ m: point.measurement, tags: (tagKeys.get(point.measurement) ?? []).sort() }).toEqual({
        m: point.measurement,
        tags: Object.keys(point.tags).sort(),
      });
      expect({ m: point.measurement, fields: (fieldKeys.get(point.measurement) ?? []).sort() }).toEqual({
        m: point.measurement,
        fields: Object.keys(point.fields).sort(),
      });
    }
    const tagValues = rowsOf(await query('SHOW TAG VALUES WITH KEY =~ /.*/', database));
    const stored = tagValues.map((row) => `${String(row.key)}=${String(row.value)}`).sort();
    const meant = [
      ...new Set(expected.flatMap((p) => Object.entries(p.tags).map(([k, v]) => `${k}=${v}`))),
    ].sort();
    expect([...new Set(stored)]).toEqual(meant);
  });
});
