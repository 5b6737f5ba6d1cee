import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBatchPayload, topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import {
  DATABASE,
  GATEWAY,
  SITE,
  TestBroker,
  TestClient,
  TestInflux,
  eventTopic,
  readDeadLetterFile,
  removeDir,
  rowWithFields,
  startIngest,
  telemetryTopic,
  type IngestUnderTest,
} from './support/harness.js';
import type { DeadLetter } from '../../contracts/index.js';

const broker = new TestBroker();
const influx = new TestInflux();
let ingest: IngestUnderTest;
let gateway: TestClient;
let deadLetters: DeadLetter[];
const T0 = Date.now() - 60_000;

beforeAll(async () => {
  await Promise.all([broker.start(), influx.start()]);
  ingest = await startIngest(broker.url, influx.influxd.url, {
    maxPayloadBytes: 4096,
    'influx.retention.backfillEveryS': 1,
  });
  gateway = await TestClient.connect(broker.url);
  deadLetters = await gateway.deadLetters();
});

afterAll(async () => {
  await gateway?.end();
  await ingest?.service.stop();
  await broker.stop();
  await influx.stop();
  if (ingest) removeDir(ingest.dir);
});

describe('ingest with a real broker and influxd', () => {
  it('stores telemetry, events, gateway status and health with the right measurement, tags and fields', async () => {
    const data = { note: 'said "open up", then \\ left\nnext line', code: 27, tamper: false };
    await gateway.publish(telemetryTopic('maker-hall-power'), {
      ts: T0,
      seq: 7,
      values: { voltage_l1_v: 229.8, active_power_w: 1200 },
    });
    await gateway.publish(telemetryTopic('maker-hall-pressure'), {
      ts: T0,
      seq: 3,
      values: { pressure_mpa: 0.23 },
    });
    await gateway.publish(eventTopic('maker-hall-door'), { ts: T0 + 1, seq: 8, type: 'door_forced', data });
    await gateway.publish(topics.status(SITE, GATEWAY), {
      state: 'online',
      ts: T0,
      // Quotes, a backslash, a comma, an equals sign and a literal newline in a string field.
      version: '0.1.0 "rc",b=1\\x\nbuild 7',
      uptime_s: 12.5,
      buffer_depth: 3,
    });
    await gateway.publish(topics.health(SITE, GATEWAY), {
      ts: T0,
      cpu_pct: 12.5,
      memory_rss_bytes: 50_000_000,
      buffer_depth: 0,
      uptime_s: 100,
      poll_ok_count: 10,
      poll_error_count: 1,
      devices_online: 40,
      devices_offline: 2,
    });

    const power = await waitFor('electricity row', () =>
      influx.point('SELECT * FROM electricity', ['voltage_l1_v', 'active_power_w', 'seq']),
    );
    expect(power).toMatchObject({
      time: T0,
      site: SITE,
      zone: 'maker-workspace',
      building: 'maker-hall',
      device: 'maker-hall-power',
      model: 'chint-dtsu666',
      gateway: GATEWAY,
      voltage_l1_v: 229.8,
      active_power_w: 1200,
      seq: 7,
    });

    const water = await waitFor('water row', () =>
      influx.point('SELECT * FROM water', ['pressure_mpa', 'seq']),
    );
    expect(water).toMatchObject({
      device: 'maker-hall-pressure',
      model: 'generic-pressure-rs485',
      pressure_mpa: 0.23,
    });

    const event = await waitFor('event row', () =>
      influx.point('SELECT * FROM safety_event', ['type', 'severity', 'seq', 'data_json']),
    );
    expect(event).toMatchObject({
      time: T0 + 1,
      type: 'door_forced',
      device: 'maker-hall-door',
      model: 'hikvision-door',
      severity: 'critical',
      seq: 8,
    });
    expect(JSON.parse(String(event.data_json))).toEqual(data);

    const status = await waitFor('status row', () =>
      influx.point('SELECT * FROM device_status', ['state', 'online', 'version', 'uptime_s', 'buffer_depth']),
    );
    expect(status).toMatchObject({
      site: SITE,
      gateway: GATEWAY,
      state: 'online',
      online: 1,
      version: '0.1.0 "rc",b=1\\x\nbuild 7',
      uptime_s: 12.5,
      buffer_depth: 3,
    });
    const health = await waitFor('health row', () =>
      influx.point('SELECT * FROM gateway_health', ['cpu_pct', 'devices_offline']),
    );
    expect(health).toMatchObject({ gateway: GATEWAY, cpu_pct: 12.5, devices_offline: 2 });

    const fieldTypes = Object.fromEntries(
      (await influx.rows('SHOW FIELD KEYS FROM electricity')).map((r) => [r.fieldKey, r.fieldType]),
    );
    expect(fieldTypes).toEqual({ active_power_w: 'float', seq: 'integer', voltage_l1_v: 'float' });
    const tagKeys = (await influx.rows('SHOW TAG KEYS FROM safety_event')).map((r) => r.tagKey).sort();
    expect(tagKeys).toEqual(['building', 'device', 'gateway', 'model', 'site', 'type', 'zone']);
    expect(deadLetters).toEqual([]);

    const metrics = await (await fetch(`${ingest.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/ingest_points_written_total\{measurement="electricity",service="ingest"\} 1/);
    const ready = await fetch(`${ingest.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('keeps raw points 90 days and rolls them up, set up on the InfluxDB it writes to', async () => {
    const policies = (await influx.influxd.query(DATABASE, `SHOW RETENTION POLICIES ON "${DATABASE}"`))
      .results[0]?.series?.[0]?.values;
    expect(policies).toEqual([
      ['autogen', '2160h0m0s', '24h0m0s', 1, true],
      ['rollup_1m', '17520h0m0s', '168h0m0s', 1, false],
      ['rollup_1h', '0s', '168h0m0s', 1, false],
    ]);
    const cqs = (await influx.influxd.query(DATABASE, 'SHOW CONTINUOUS QUERIES')).results[0]?.series?.find(
      (series) => series.name === DATABASE,
    );
    expect(cqs?.values).toHaveLength(8);
  });

  it('rolls up points that arrive after the continuous queries passed their time (a replayed outage)', async () => {
    // 45 minutes old: the 1-minute queries look 3 minutes back, so only a backfill rolls this up.
    const minute = Math.floor((Date.now() - 45 * 60_000) / 60_000) * 60_000;
    await gateway.publish(telemetryTopic('exchange-hall-power'), {
      ts: minute + 10_000,
      seq: 900,
      values: { voltage_v: 231 },
    });
    await gateway.publish(telemetryTopic('exchange-hall-power'), {
      ts: minute + 40_000,
      seq: 901,
      values: { voltage_v: 233 },
    });
    const rolledUp = (rp: string, time: number) =>
      waitFor(
        `the late ${rp} bucket`,
        () =>
          influx.point(
            `SELECT * FROM "${rp}"."electricity" WHERE device = 'exchange-hall-power' AND time = ${time}ms`,
            ['voltage_v', 'voltage_v_min', 'voltage_v_max', 'samples'],
          ),
        { timeoutMs: 30_000 },
      );
    expect(await rolledUp('rollup_1m', minute)).toMatchObject({
      voltage_v: 232,
      voltage_v_min: 231,
      voltage_v_max: 233,
      samples: 2,
    });
    const hourly = await rolledUp('rollup_1h', Math.floor(minute / 3_600_000) * 3_600_000);
    expect(hourly).toMatchObject({ voltage_v_min: 231, voltage_v_max: 233 });
  });

  it('dead-letters each kind of bad message with its code, stores nothing for it and keeps going', async () => {
    const good = (seq: number) => ({ ts: T0 + 1000 + seq, seq, values: { voltage_v: 230 } });
    const cases: Array<[string, string, unknown]> = [
      ['PAYLOAD_NOT_JSON', telemetryTopic('clinic-power'), '{"ts": 1, "seq":'],
      ['PAYLOAD_INVALID', telemetryTopic('clinic-power'), { ts: T0, seq: 'one', values: { voltage_v: 'x' } }],
      ['DEVICE_UNKNOWN', telemetryTopic('ghost-meter'), good(101)],
      ['GATEWAY_MISMATCH', topics.telemetry(SITE, 'gw-elsewhere', 'clinic-power'), good(102)],
      ['FIELD_UNKNOWN', telemetryTopic('clinic-power'), { ...good(103), values: { pressure_mpa: 1 } }],
      [
        'PAYLOAD_TOO_LARGE',
        telemetryTopic('clinic-power'),
        JSON.stringify({ ...good(104), pad: 'x'.repeat(5000) }),
      ],
      ['TOPIC_INVALID', `v1/${SITE}/${GATEWAY}/Clinic_Power/telemetry`, good(105)],
      ['CLOCK_SKEW', telemetryTopic('clinic-power'), { ...good(106), ts: Date.now() + 3_600_000 }],
    ];
    for (const [, topic, payload] of cases) await gateway.publish(topic, payload);
    await gateway.publish(telemetryTopic('clinic-power'), good(1));

    const written = await waitFor('the valid message after the bad ones', async () => {
      const rows = await influx.rows(`SELECT voltage_v, seq FROM electricity WHERE device = 'clinic-power'`);
      return rowWithFields(rows, ['voltage_v', 'seq']) ? rows : undefined;
    });
    expect(written.map((r) => r.seq)).toEqual([1]);
    await waitFor('all dead letters published', () => deadLetters.length >= cases.length);
    expect(deadLetters.map((d) => d.code)).toEqual(cases.map(([code]) => code));
    expect(deadLetters.map((d) => d.topic)).toEqual(cases.map(([, topic]) => topic));
    const notJson = deadLetters[0] as DeadLetter;
    expect(Buffer.from(notJson.payload_base64, 'base64').toString()).toBe('{"ts": 1, "seq":');
    expect(deadLetters[1]?.issues.join(' ')).toMatch(/seq/);

    await waitFor(
      'dead letters on disk',
      () => readDeadLetterFile(ingest.deadLetterFile).length >= cases.length,
    );
    expect(readDeadLetterFile(ingest.deadLetterFile).map((d) => d.code)).toEqual(cases.map(([code]) => code));

    expect(await influx.count(`SELECT count(seq) FROM electricity WHERE device = 'clinic-power'`)).toBe(1);
    expect(await influx.count(`SELECT count(seq) FROM electricity WHERE device = 'ghost-meter'`)).toBe(0);
    expect((await fetch(`${ingest.baseUrl}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${ingest.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/ingest_invalid_total\{code="GATEWAY_MISMATCH",service="ingest"\} 1/);
  });

  it('writes the good items of a batch and dead-letters the bad one', async () => {
    const before = deadLetters.length;
    const ts = T0 + 5000;
    await gateway.publish(topics.batch(SITE, GATEWAY), {
      ts,
      telemetry: [
        { device: 'canteen-power', ts, seq: 1, values: { voltage_l1_v: 231 } },
        { device: 'canteen-power', ts: ts + 1, seq: 2, values: { voltage_l1_v: 'broken' } },
        { device: 'canteen-flow', ts, seq: 1, values: { flow_m3h: 1.5 } },
      ],
      events: [{ device: 'canteen-fire-panel', ts, seq: 2, type: 'fire_alarm', data: { loop: 1 } }],
    });
    await waitFor('batch dead letter', () => deadLetters.length > before);
    await waitFor('batch items written', async () => {
      const rows = await influx.rows(
        `SELECT count(seq) FROM /electricity|water|safety_event/ WHERE device =~ /^canteen-/`,
      );
      return rows.reduce((sum, r) => sum + Number(r.count), 0) === 3;
    });
    expect(deadLetters.slice(before).map((d) => [d.code, d.topic])).toEqual([
      ['PAYLOAD_INVALID', topics.batch(SITE, GATEWAY)],
    ]);
    const item = JSON.parse(Buffer.from(deadLetters[before]?.payload_base64 ?? '', 'base64').toString());
    expect(item).toMatchObject({ device: 'canteen-power', seq: 2 });
    expect(
      await influx.count(`SELECT count(voltage_l1_v) FROM electricity WHERE device = 'canteen-power'`),
    ).toBe(1);
  });

  it('isolates points InfluxDB refuses (field type conflict), dead-letters them and writes the rest', async () => {
    // Make `frequency_hz` a string field in this shard, so a float for it is a type conflict (HTTP 400).
    const conflict = await fetch(`${influx.influxd.url}/write?db=${DATABASE}&precision=ms`, {
      method: 'POST',
      body: `electricity,device=seed frequency_hz="fifty" ${T0}`,
    });
    expect(conflict.status).toBe(204);
    const before = deadLetters.length;
    const ts = T0 + 9000;
    await gateway.publish(topics.batch(SITE, GATEWAY), {
      ts,
      telemetry: [
        { device: 'shop-power', ts, seq: 1, values: { voltage_v: 229 } },
        { device: 'shop-power', ts: ts + 1, seq: 2, values: { frequency_hz: 50.01 } },
        { device: 'shop-power', ts: ts + 2, seq: 3, values: { voltage_v: 230 } },
      ],
    });
    await waitFor('rejected point dead-lettered', () => deadLetters.length > before);
    const letter = deadLetters[before] as DeadLetter;
    expect(letter.code).toBe('INFLUX_REJECTED');
    expect(letter.reason).toMatch(/field type conflict/);
    expect(JSON.parse(Buffer.from(letter.payload_base64, 'base64').toString())).toMatchObject({ seq: 2 });
    const seqs = (await influx.rows(`SELECT seq FROM electricity WHERE device = 'shop-power'`)).map(
      (r) => r.seq,
    );
    expect(seqs).toEqual([1, 3]);
  });

  it('dead-letters the right batch item when validation refused an earlier one', async () => {
    const before = deadLetters.length;
    const ts = T0 + 9500;
    await gateway.publish(topics.batch(SITE, GATEWAY), {
      ts,
      telemetry: [
        { device: 'shop-power', ts, seq: 4, values: { voltage_v: 231 } },
        { device: 'shop-power', ts: ts + 1, seq: 5, values: { voltage_v: 'high' } },
        { device: 'shop-power', ts: ts + 2, seq: 6, values: { frequency_hz: 49.98 } },
        { device: 'shop-power', ts: ts + 3, seq: 7, values: { voltage_v: 232 } },
      ],
    });
    await waitFor('both dead letters', () => deadLetters.length >= before + 2);
    const letters = deadLetters.slice(before).sort((a, b) => a.code.localeCompare(b.code));
    expect(letters.map((d) => d.code)).toEqual(['INFLUX_REJECTED', 'PAYLOAD_INVALID']);
    const refused = JSON.parse(Buffer.from(letters[0]?.payload_base64 ?? '', 'base64').toString());
    expect(refused).toMatchObject({ device: 'shop-power', seq: 6 });
    const seqs = (await influx.rows(`SELECT seq FROM electricity WHERE device = 'shop-power'`)).map(
      (r) => r.seq,
    );
    expect(seqs).toEqual([1, 3, 4, 7]);
  });
  it('stores a gzip batch as its JSON, and dead-letters one that does not decompress or expands too far', async () => {
    const before = deadLetters.length;
    const ts = T0 + 12_000;
    const batch = (telemetry: unknown[]) => encodeBatchPayload(JSON.stringify({ ts, telemetry }), 'gzip');
    const corrupt = Buffer.concat([batch([]).subarray(0, 10), Buffer.from('not deflate data at all')]);
    const cut = batch([{ device: 'canteen-flow', ts, seq: 20, values: { flow_m3h: 2 } }]).subarray(0, 30);
    // 200 KB of JSON in well under a kilobyte of gzip: past the 4 KiB limit only once expanded.
    const bomb = gzipSync(JSON.stringify({ ts, telemetry: [], pad: ' '.repeat(200_000) }));
    expect(bomb.length).toBeLessThan(4096);
    for (const payload of [corrupt, cut, bomb]) await gateway.publish(topics.batch(SITE, GATEWAY), payload);
    await gateway.publish(
      topics.batch(SITE, GATEWAY),
      batch([
        { device: 'canteen-flow', ts, seq: 21, values: { flow_m3h: 2.5 } },
        // A string field in this shard since the type-conflict test: InfluxDB refuses this one item.
        { device: 'shop-power', ts: ts + 1, seq: 9, values: { frequency_hz: 50.01 } },
      ]),
    );

    await waitFor('the gzip batch stored', async () => {
      const rows = await influx.rows(`SELECT flow_m3h FROM water WHERE device = 'canteen-flow' AND seq = 21`);
      return rows.length === 1 && rows[0]?.flow_m3h === 2.5;
    });
    await waitFor('four dead letters', () => deadLetters.length >= before + 4);
    const letters = deadLetters.slice(before);
    expect(letters.map((d) => d.code)).toEqual([
      'PAYLOAD_NOT_DECODABLE',
      'PAYLOAD_NOT_DECODABLE',
      'PAYLOAD_TOO_LARGE',
      'INFLUX_REJECTED',
    ]);
    // What arrived is kept as it arrived (gzip), except the refused item, which reads as its JSON.
    expect(Buffer.from(letters[0]?.payload_base64 ?? '', 'base64').subarray(0, 2)).toEqual(
      Buffer.from([0x1f, 0x8b]),
    );
    const refused = JSON.parse(Buffer.from(letters[3]?.payload_base64 ?? '', 'base64').toString());
    expect(refused).toMatchObject({ device: 'shop-power', seq: 9 });
    await waitFor('dead letters on disk', () =>
      readDeadLetterFile(ingest.deadLetterFile).some((d) => d.code === 'PAYLOAD_NOT_DECODABLE'),
    );
    expect(
      await influx.count(`SELECT count(seq) FROM water WHERE device = 'canteen-flow' AND seq = 20`),
    ).toBe(0);
  });
  it('stores a brotli batch as its JSON, and dead-letters one that does not decompress or expands too far', async () => {
    const before = deadLetters.length;
    const ts = T0 + 13_000;
    const batch = (body: object) => encodeBatchPayload(JSON.stringify({ ts, ...body }), 'brotli');
    const corrupt = Buffer.concat([Buffer.from('br'), Buffer.from('not a brotli stream at all')]);
    // 200 KB of JSON in a few bytes of brotli: past the 4 KiB limit only once expanded.
    const bomb = batch({ telemetry: [], pad: ' '.repeat(200_000) });
    expect(bomb.length).toBeLessThan(4096);
    for (const payload of [corrupt, bomb]) await gateway.publish(topics.batch(SITE, GATEWAY), payload);
    await gateway.publish(
      topics.batch(SITE, GATEWAY),
      batch({ telemetry: [{ device: 'canteen-flow', ts, seq: 22, values: { flow_m3h: 3.5 } }] }),
    );
    await waitFor('the brotli batch stored', async () => {
      const rows = await influx.rows(`SELECT flow_m3h FROM water WHERE device = 'canteen-flow' AND seq = 22`);
      return rows.length === 1 && rows[0]?.flow_m3h === 3.5;
    });
    await waitFor('two dead letters', () => deadLetters.length >= before + 2);
    expect(deadLetters.slice(before).map((d) => d.code)).toEqual([
      'PAYLOAD_NOT_DECODABLE',
      'PAYLOAD_TOO_LARGE',
    ]);
  });
  it("counts neither a gap nor a duplicate for a device's reading and event that share a batch", async () => {
    const counter = async (name: string) => {
      const text = await (await fetch(`${ingest.baseUrl}/metrics`)).text();
      return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    };
    const ts = T0 + 14_000;
    const device = 'maker-hall-emergency-light';
    // The gateway counts one seq per device across readings and events; the batch lists readings first.
    await gateway.publish(topics.batch(SITE, GATEWAY), {
      ts,
      telemetry: [{ device, ts, seq: 40, values: { battery_pct: 98 } }],
    });
    await waitFor(
      'the first reading',
      async () =>
        (await influx.count(`SELECT count(seq) FROM device_status WHERE device = '${device}'`)) === 1,
    );
    const gaps = await counter('ingest_seq_gaps_total');
    const duplicates = await counter('ingest_seq_duplicates_total');
    await gateway.publish(topics.batch(SITE, GATEWAY), {
      ts,
      telemetry: [
        { device, ts: ts + 1, seq: 41, values: { battery_pct: 97 } },
        { device, ts: ts + 3, seq: 43, values: { battery_pct: 97 } },
      ],
      events: [
        {
          device,
          ts: ts + 2,
          seq: 42,
          type: 'emergency_self_test',
          data: { kind: 'monthly', result: 'pass' },
        },
      ],
    });
    await waitFor(
      'the batch stored',
      async () =>
        (await influx.count(`SELECT count(seq) FROM device_status WHERE device = '${device}'`)) === 3,
    );
    expect(await counter('ingest_seq_gaps_total')).toBe(gaps);
    expect(await counter('ingest_seq_duplicates_total')).toBe(duplicates);
  });
});
