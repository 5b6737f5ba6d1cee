import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKER_PROCESS_ENV } from '../../broker/index.js';
import { EDGE_PROCESS_ENV } from '../../edge/index.js';
import { VillageStack, rowsOf } from '../../stack/index.js';
import { getProfile, telemetryMeasurement } from '../../devices/index.js';
import { topics } from '../../contracts/index.js';
import { publishedReadings, rowWithFields } from '../support/index.js';
import { checkQueries, generateDashboards, queriesOf, type DashboardLike } from '../../dashboards/index.js';
import { waitFor } from '../../runtime/index.js';

/**
 * The central broker: ours (aedes, ingest on MQTT 3.1.1), or Debian's mosquitto 2 with the
 * accounts `broker/cli.ts export --mosquitto` writes and ingest on MQTT 5 (acknowledgements
 * through customHandleAcks, a shared subscription).
 */
const BROKERS = [
  { broker: 'platform', ingest: {} },
  { broker: 'mosquitto', ingest: { INGEST_MQTT_PROTOCOL_VERSION: '5' } },
] as const;

/**
 * The whole pipeline as real processes on loopback: simulator → edge → broker → ingest
 * → influxd. One stack per broker; the InfluxDB outage runs last.
 */
describe.each(BROKERS)('village pipeline end to end, $broker broker', ({ broker, ingest }) => {
  let stack: VillageStack;
  let dir: string;
  let admin: mqtt.MqttClient;

  const query = async (q: string) => rowsOf(await stack.influxd!.query(stack.database, q));
  const sim = (path: string, init?: RequestInit) => stack.simControl(path, init);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'village-e2e-'));
    stack = new VillageStack({
      dataDir: dir,
      logLevel: 'info',
      edgeHealthIntervalS: 5,
      env: { ingest: { INGEST_FLUSH_INTERVAL_MS: '200', ...ingest } },
      broker,
    });
    await stack.start();
    admin = await mqtt.connectAsync(stack.mqttUrl, {
      username: 'admin',
      password: stack.secrets.adminPassword,
      clientId: 'e2e-admin',
      reconnectPeriod: 500,
    });
  }, 180_000);

  afterAll(async () => {
    await admin?.endAsync();
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('stores what every simulated meter served, for every Modbus and DL/T 645 profile', async () => {
    const frozen = await sim('/freeze', { method: 'POST' });
    expect(frozen.status).toBe(200);
    const frozenAt = Date.now();
    const polledDevices = stack.site.devices.filter((d) => getProfile(d.profile).protocol !== 'mqtt');
    expect(new Set(polledDevices.map((d) => d.profile)).size).toBeGreaterThanOrEqual(5);

    for (const device of polledDevices) {
      const profile = getProfile(device.profile);
      if (profile.protocol === 'mqtt') continue;
      const measurement = telemetryMeasurement(profile);
      // DL/T 645 values are decimal digits on the wire: what was served is stored exactly.
      const fields =
        profile.protocol === 'modbus'
          ? profile.registers
          : profile.items.map((item) => ({
              field: item.field,
              type: 'bcd' as const,
              decimalShift: undefined,
            }));
      const stored = await waitFor(
        `a reading of ${device.id} after the freeze`,
        async () => {
          const result = await query(
            `SELECT * FROM "${measurement}" WHERE device = '${device.id}' AND time > ${frozenAt + 1000}ms ORDER BY time DESC LIMIT 1`,
          );
          return rowWithFields(
            result,
            fields.map((register) => register.field),
          );
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      const served = (await (await sim(`/devices/${device.id}/served`)).json()) as {
        values: Record<string, number>;
      };
      expect(stored.zone).toBe(device.zone);
      expect(stored.building).toBe(device.building);
      expect(stored.model).toBe(device.profile);
      for (const register of fields) {
        const expected = served.values[register.field];
        expect(expected, `${device.id}.${register.field} served`).toBeTypeOf('number');
        const actual = stored[register.field] as number;
        const tolerance = Math.max(1e-6, Math.abs(expected!) * 1e-6) + (register.decimalShift ? 10 ** -3 : 0);
        expect(
          Math.abs(actual - expected!),
          `${device.id}.${register.field}: stored ${actual}, served ${expected}`,
        ).toBeLessThanOrEqual(
          register.type === 'float32'
            ? Math.max(tolerance, Math.abs(expected!) * 2e-7 + 1e-4)
            : register.type === 'bcd'
              ? tolerance
              : tolerance + 0.5,
        );
      }
    }
    await sim('/unfreeze', { method: 'POST' });
  }, 120_000);

  it.skipIf(broker === 'mosquitto')(
    'starts the broker with the malloc threshold that keeps scrypt from growing it for good',
    () => {
      const environ = readFileSync(`/proc/${stack.service('broker').pid}/environ`, 'utf8').split('\0');
      expect(environ).toContain(`GLIBC_TUNABLES=${BROKER_PROCESS_ENV.GLIBC_TUNABLES}`);
    },
  );

  it('starts the gateway with the heap limit of its systemd unit', () => {
    const environ = readFileSync(`/proc/${stack.service('edge').pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain(`NODE_OPTIONS=${EDGE_PROCESS_ENV.NODE_OPTIONS}`);
    expect(environ).toContain(`GLIBC_TUNABLES=${EDGE_PROCESS_ENV.GLIBC_TUNABLES}`);
  });

  it('turns vendor MQTT events from the LAN into safety events in InfluxDB', async () => {
    const door = stack.site.devices.find((d) => d.profile === 'hikvision-door')!;
    const panel = stack.site.devices.find((d) => d.profile === 'gst-fire-panel')!;
    const since = Date.now();
    for (const [kind, target] of [
      ['door-forced', door.id],
      ['fire-alarm', panel.id],
    ]) {
      const response = await sim('/faults', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind, target }),
      });
      expect(response.status, `inject ${kind}`).toBeLessThan(300);
    }
    for (const [device, type] of [
      [door.id, 'door_forced'],
      [panel.id, 'fire_alarm'],
    ]) {
      const rows = await waitFor(`${type} of ${device} in InfluxDB`, async () => {
        const result = await query(
          `SELECT * FROM safety_event WHERE device = '${device}' AND "type" = '${type}' AND time > ${since - 1000}ms`,
        );
        return result.length > 0 ? result : undefined;
      });
      expect(rows[0]!.severity).toBe('critical');
    }
  }, 60_000);

  it('dead-letters malformed, mistyped, unknown and oversized messages and keeps serving', async () => {
    const site = stack.site.site.id;
    const gateway = stack.gatewayId;
    const meter = stack.site.devices.find((d) => d.profile === 'eastron-sdm120')!;
    const now = Date.now();
    const cases: Array<{ topic: string; payload: string | Buffer; code: string }> = [
      {
        topic: topics.telemetry(site, gateway, meter.id),
        payload: '{"ts": 1, "seq": ',
        code: 'PAYLOAD_NOT_JSON',
      },
      {
        topic: topics.telemetry(site, gateway, meter.id),
        payload: JSON.stringify({ ts: now, seq: 'one', values: { voltage_v: '230' } }),
        code: 'PAYLOAD_INVALID',
      },
      {
        topic: topics.telemetry(site, gateway, 'ghost-meter'),
        payload: JSON.stringify({ ts: now, seq: 1, values: { voltage_v: 230 } }),
        code: 'DEVICE_UNKNOWN',
      },
      {
        topic: topics.telemetry(site, gateway, meter.id),
        payload: JSON.stringify({ ts: now, seq: 1, values: { voltage_v: 230, x: 'y'.repeat(300 * 1024) } }),
        code: 'PAYLOAD_TOO_LARGE',
      },
    ];
    const deadLetterFile = join(dir, 'ingest', 'dead-letter.jsonl');
    const before = existsSync(deadLetterFile)
      ? readFileSync(deadLetterFile, 'utf8').split('\n').filter(Boolean).length
      : 0;
    const publisher = await mqtt.connectAsync(stack.mqttUrl, {
      username: 'admin',
      password: stack.secrets.adminPassword,
      clientId: 'e2e-bad-input',
      reconnectPeriod: 0,
    });
    for (const c of cases) await publisher.publishAsync(c.topic, c.payload, { qos: 1 });
    await publisher.endAsync();

    const records = await waitFor('dead-letter records', () => {
      if (!existsSync(deadLetterFile)) return undefined;
      const lines = readFileSync(deadLetterFile, 'utf8').split('\n').filter(Boolean).slice(before);
      const parsed = lines.map((l) => JSON.parse(l) as { code: string; topic: string; reason: string });
      return cases.every((c) => parsed.some((r) => r.code === c.code)) ? parsed : undefined;
    });
    for (const c of cases) {
      const record = records.find((r) => r.code === c.code)!;
      expect(record.topic).toBe(c.topic);
      expect(record.reason.length).toBeGreaterThan(0);
    }
    expect(await query(`SELECT * FROM electricity WHERE device = 'ghost-meter'`)).toHaveLength(0);
    expect((await fetch(`http://127.0.0.1:${stack.ports.ingestHttp}/healthz`)).status).toBe(200);
  }, 60_000);

  it('keeps a gateway inside its own topics and unknown clients out', async () => {
    const site = stack.site.site.id;
    const received: string[] = [];
    const onMessage = (topic: string) => received.push(topic);
    admin.on('message', onMessage);
    await admin.subscribeAsync(['v1/#', 'ops/#'], { qos: 1 });
    const forbidden = [
      topics.telemetry(site, 'gw-other', 'maker-hall-power'),
      topics.status(site, 'gw-other'),
      topics.alert(site, 'fake-rule'),
      topics.telemetry('other-village', stack.gatewayId, 'maker-hall-power'),
    ];
    for (const topic of forbidden) {
      const gateway = await mqtt.connectAsync(stack.mqttUrl, {
        username: stack.gatewayId,
        password: stack.secrets.gatewayPassword,
        clientId: 'e2e-impostor',
        reconnectPeriod: 0,
      });
      const closed = new Promise<void>((resolve) => gateway.once('close', () => resolve()));
      // MQTT 3.1.1 has no per-message refusal: our broker drops the connection, mosquitto
      // acknowledges and discards. Either way the broker has dealt with it before the probe below.
      const acknowledged = gateway
        .publishAsync(topic, JSON.stringify({ ts: Date.now(), seq: 1, values: { voltage_v: 1 } }), { qos: 1 })
        .catch(() => undefined);
      await Promise.race([closed, acknowledged]);
      gateway.end(true);
    }
    // a message the gateway may publish still goes through, so the subscriber was listening
    const allowed = topics.telemetry(site, stack.gatewayId, 'e2e-probe');
    const gateway = await mqtt.connectAsync(stack.mqttUrl, {
      username: stack.gatewayId,
      password: stack.secrets.gatewayPassword,
      clientId: 'e2e-allowed',
      reconnectPeriod: 0,
    });
    await gateway.publishAsync(
      allowed,
      JSON.stringify({ ts: Date.now(), seq: 1, values: { voltage_v: 1 } }),
      { qos: 1 },
    );
    await waitFor('the allowed message', () => received.includes(allowed));
    gateway.end(true);
    admin.off('message', onMessage);
    await admin.unsubscribeAsync(['v1/#', 'ops/#']);
    for (const topic of forbidden) expect(received).not.toContain(topic);

    const refused = async (options: mqtt.IClientOptions) => {
      const client = mqtt.connect(stack.mqttUrl, { ...options, reconnectPeriod: 0, connectTimeout: 5000 });
      const outcome = await new Promise<string>((resolve) => {
        client.once('connect', () => resolve('connected'));
        client.once('error', (error) => resolve(error.message));
        client.once('close', () => resolve('closed'));
      });
      client.end(true);
      return outcome;
    };
    expect(await refused({ username: 'stranger', password: 'guess-guess-guess' })).toMatch(
      /Bad username or password|Not authorized/,
    );
    expect(await refused({ username: stack.gatewayId, password: 'wrong-password-123' })).toMatch(
      /Bad username or password|Not authorized/,
    );
    expect(await refused({})).not.toBe('connected');
  }, 60_000);

  it('answers every dashboard panel query from what the pipeline stored', async () => {
    // rates over gateway health need reports in at least two 10 s buckets
    await waitFor(
      'four gateway health reports',
      async () => (await query('SELECT * FROM gateway_health')).length >= 4,
      {
        timeoutMs: 60_000,
        intervalMs: 1000,
      },
    );
    const queries = Object.entries(generateDashboards())
      .filter(([path]) => path.startsWith('dashboards/zh/'))
      .flatMap(([, json]) => queriesOf(JSON.parse(json) as DashboardLike));
    expect(queries.length).toBeGreaterThan(30);
    const outcomes = await checkQueries(stack.influxUrl, stack.database, queries, {
      range: '15m',
      interval: '10s',
    });
    const failed = outcomes.filter((o) => !o.ok).map((o) => `${o.dashboard} ${o.source}: ${o.error}`);
    expect(failed).toEqual([]);
    // panels over the measurements the simulated village fills must show data
    const filled = /FROM (?:"[a-z0-9_]+"\.)?"?(water|electricity|gateway_health)"?/;
    const empty = outcomes
      .filter((o) => filled.test(o.expanded) && o.rows === 0)
      .map((o) => `${o.dashboard} ${o.source}`);
    expect(empty).toEqual([]);
  }, 120_000);

  it('loses nothing and duplicates nothing while influxd is down for 30 s', async () => {
    const site = stack.site.site.id;
    const sent = new Map<string, Set<number>>();
    const listener = (topic: string, payload: Buffer) => {
      if (topic.split('/')[1] !== site) return;
      for (const { device, seq, kind } of publishedReadings(topic, payload)) {
        if (kind !== 'telemetry') continue;
        if (!sent.has(device)) sent.set(device, new Set());
        sent.get(device)!.add(seq);
      }
    };
    const filters = [`v1/${site}/+/+/telemetry`, `v1/${site}/+/batch`];
    admin.on('message', listener);
    await admin.subscribeAsync(filters, { qos: 1 });
    await sleep(3000);
    await stack.influxd!.stop();
    await sleep(30_000);
    await stack.influxd!.start();
    await sleep(3000);
    admin.off('message', listener);
    await admin.unsubscribeAsync(filters);

    const devices = [...sent.keys()];
    expect(devices.length).toBeGreaterThan(20);
    for (const device of devices) {
      const seqs = [...sent.get(device)!];
      const min = Math.min(...seqs);
      const max = Math.max(...seqs);
      const profile = getProfile(stack.site.devices.find((d) => d.id === device)!.profile);
      const measurement = telemetryMeasurement(profile);
      const rows = await waitFor(
        `all ${seqs.length} readings of ${device}`,
        async () => {
          const result = await query(
            `SELECT seq FROM "${measurement}" WHERE device = '${device}' AND seq >= ${min} AND seq <= ${max}`,
          );
          return result.length >= seqs.length ? result : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 1000 },
      );
      const stored = rows.map((r) => r.seq as number).sort((a, b) => a - b);
      expect(stored, device).toEqual([...seqs].sort((a, b) => a - b));
    }
    expect((await fetch(`http://127.0.0.1:${stack.ports.ingestHttp}/healthz`)).status).toBe(200);
  }, 180_000);
});
