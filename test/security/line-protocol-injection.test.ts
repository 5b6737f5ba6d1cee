import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { IngestService, loadIngestConfig } from '../../ingest/index.js';
import { ManagedInfluxd, rowsOf } from '../../stack/index.js';
import { BareBroker, quietLogger } from '../support/index.js';
import { waitFor } from '../../runtime/index.js';

/**
 * Issue 20, low list: gateway strings (a status' version, an event's data) reach ingest's
 * line protocol with their newlines. That is safe, and this shows it against a real
 * influxd: a string field is quoted, with its quotes and backslashes escaped, so a
 * newline inside it cannot end the string or start a line of the sender's choosing;
 * InfluxDB keeps it as part of the string (escaping it as `\n`, as alerting's writer
 * does, would store a backslash instead).
 */
const SITE = 'demo-village';
const GATEWAY = 'gw-center';
const INJECTED = 'injected';
const version = `1.0"\n${INJECTED},site=x v=1 1000000000\n#`;
const zones = `door\\"\n${INJECTED},site=y v=2 2000000000`;

describe('newlines in gateway strings, through ingest into InfluxDB', () => {
  const dir = mkdtempSync(join(tmpdir(), 'security-lp-'));
  const influxd = new ManagedInfluxd({ dataDir: join(dir, 'influxdb') });
  const broker = new BareBroker();
  let ingest: IngestService;

  beforeAll(async () => {
    await influxd.start();
    await broker.start();
    const config = loadIngestConfig({
      env: {},
      overrides: {
        'mqtt.url': broker.url,
        'influx.url': influxd.url,
        'http.port': 0,
        deadLetterFile: join(dir, 'dead-letter.jsonl'),
        flushIntervalMs: 100,
      },
    });
    ingest = new IngestService(config, { logger: quietLogger(), drainTimeoutMs: 1000 });
    await ingest.start();
    await waitFor('ingest connected', () => ingest.mqttConnected, { timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await ingest?.stop();
    await broker.stop();
    await influxd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores them as written and lets no line be injected', async () => {
    const gateway = await mqtt.connectAsync(broker.url);
    const ts = Date.now();
    await gateway.publishAsync(
      topics.status(SITE, GATEWAY),
      JSON.stringify({ state: 'online', ts, version, reason: 'startup' }),
      { qos: 1 },
    );
    await gateway.publishAsync(
      topics.event(SITE, GATEWAY, 'maker-hall-camera'),
      JSON.stringify({ ts, seq: 1, type: 'object_detected', data: { label: 'person', score: 0.9, zones } }),
      { qos: 1 },
    );
    await gateway.endAsync();
    const query = async (q: string) => rowsOf(await influxd.query('village', q));
    const statuses = await waitFor(
      'the status and the event stored',
      async () => {
        const status = await query(`SELECT version FROM device_status WHERE gateway = '${GATEWAY}'`);
        const events = await query(`SELECT data_json FROM safety_event WHERE device = 'maker-hall-camera'`);
        return status.length > 0 && events.length > 0 ? { status, events } : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    expect(statuses.status.map((row) => row.version)).toEqual([version]);
    expect(
      statuses.events.map((row) => (JSON.parse(String(row.data_json)) as { zones: string }).zones),
    ).toEqual([zones]);
    expect(await query(`SELECT * FROM ${INJECTED}`)).toEqual([]);
  });
});
