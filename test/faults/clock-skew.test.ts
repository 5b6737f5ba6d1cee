import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { getProfile, telemetryMeasurement } from '../../devices/index.js';
import { rowsOf } from '../../stack/index.js';
import { FaultVillage } from './support/index.js';
import { waitFor } from '../../runtime/index.js';

const HOUR = 3_600_000;
const SEQ = 2_000_000_000;

/**
 * Device clocks wrong: readings hours in the future are refused as CLOCK_SKEW (dead
 * letter + counter); hours in the past are a normal buffer replay and stored; past
 * maxAgeDays (30) they are refused too. See docs/clock-policy.md.
 */
describe('fault: gateway clock wrong', () => {
  const village = new FaultVillage({ name: 'faults-clock', pollIntervalS: 5 });

  beforeAll(async () => {
    await village.start();
  }, 180_000);

  afterAll(async () => {
    await village.stop();
  }, 60_000);

  it('refuses future and far-past timestamps with CLOCK_SKEW, stores plausible ones', async () => {
    const { stack } = village;
    const [device] = await village.loadDevices();
    const now = Date.now();
    const cases = [
      { name: '3 h ahead', ts: now + 3 * HOUR, seq: SEQ, stored: false },
      { name: '3 h behind', ts: now - 3 * HOUR, seq: SEQ + 1, stored: true },
      { name: '40 days behind', ts: now - 40 * 24 * HOUR, seq: SEQ + 2, stored: false },
      { name: '2 min ahead (within maxFutureS)', ts: now + 120_000, seq: SEQ + 3, stored: true },
      { name: '12 h ahead', ts: now + 12 * HOUR, seq: SEQ + 4, stored: false },
    ];
    const gateway = await mqtt.connectAsync(stack.mqttUrl, {
      username: stack.gatewayId,
      password: stack.secrets.gatewayPassword,
      clientId: 'faults-clock',
      reconnectPeriod: 0,
    });
    const topic = topics.telemetry(stack.site.site.id, stack.gatewayId, device!.id);
    // Its own measurement, not `FROM /.*/`: `device` is a field of `alert` (written once any alert
    // fires) and a tag elsewhere, and InfluxDB 1.x then answers `WHERE device = …` with nothing.
    const profile = stack.site.devices.find((d) => d.id === device!.id)!.profile;
    const measurement = telemetryMeasurement(getProfile(profile));
    for (const c of cases) {
      await gateway.publishAsync(topic, JSON.stringify({ ts: c.ts, seq: c.seq, values: device!.values }), {
        qos: 1,
      });
    }
    await gateway.endAsync();

    const deadLetterFile = join(stack.dataDir, 'ingest', 'dead-letter.jsonl');
    const refused = cases.filter((c) => !c.stored);
    const letters = await waitFor('CLOCK_SKEW dead letters', () => {
      if (!existsSync(deadLetterFile)) return undefined;
      const parsed = readFileSync(deadLetterFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(
          (line) =>
            JSON.parse(line) as { code: string; topic: string; payload_base64: string; reason: string },
        )
        .filter((l) => l.code === 'CLOCK_SKEW');
      return parsed.length >= refused.length ? parsed : undefined;
    });
    for (const c of refused) {
      expect(
        letters.some(
          (l) =>
            l.topic === topic &&
            Buffer.from(l.payload_base64, 'base64').toString().includes(`"seq":${c.seq}`),
        ),
        `dead letter for ${c.name}`,
      ).toBe(true);
    }
    const metrics = await (await fetch(`http://127.0.0.1:${stack.ports.ingestHttp}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`ingest_invalid_total\\{code="CLOCK_SKEW"[^}]*\\} ${refused.length}\\b`),
    );

    // A write that times out (10 s) under a loaded box is retried after a back-off: wait past that,
    // and say on failure what ingest knows of its writes.
    const rows = await waitFor(
      'the plausible readings stored',
      async () => {
        const result = rowsOf(
          await stack.influxd!.query(
            stack.database,
            `SELECT seq FROM "${measurement}" WHERE device = '${device!.id}' AND seq >= ${SEQ}`,
          ),
        );
        return result.length >= cases.filter((c) => c.stored).length ? result : undefined;
      },
      { timeoutMs: 90_000 },
    ).catch(async (error: unknown) => {
      const now = await (await fetch(`http://127.0.0.1:${stack.ports.ingestHttp}/metrics`)).text();
      const writes = now
        .split('\n')
        .filter((line) => /^ingest_(write_retries|points_written|buffered_points|seq_)/.test(line));
      throw new Error(`${(error as Error).message}; ingest: ${writes.join('; ')}`);
    });
    const storedSeqs = rows.map((r) => r.seq as number).sort((a, b) => a - b);
    expect(storedSeqs).toEqual(cases.filter((c) => c.stored).map((c) => c.seq));
  }, 150_000);
});
