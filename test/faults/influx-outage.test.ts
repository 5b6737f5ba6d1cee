import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../runtime/index.js';
import {
  FaultVillage,
  awaitDelivery,
  fillDisk,
  freeDisk,
  logReport,
  mountTmpfs,
  summary,
  tmpfsAvailable,
  unmount,
  type LoadPublisher,
} from './support/index.js';

/** FAULTS_LONG=1 runs the full 2-minute outage; by default 45 s keep the folder within CI's budget. */
const OUTAGE_S = process.env.FAULTS_LONG === '1' ? 120 : 45;
const TMPFS = tmpfsAvailable();
const TMPFS_BYTES = 512 * 1024 * 1024;

async function writeRetries(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const match = /^ingest_write_retries_total\{[^}]*\} (\d+)/m.exec(text);
  return match ? Number(match[1]) : 0;
}

/** One point into a scratch measurement: does influxd accept writes? */
async function probeWrite(url: string, database: string): Promise<boolean> {
  const params = new URLSearchParams({ db: database, precision: 'ms' });
  const response = await fetch(`${url}/write?${params}`, {
    method: 'POST',
    body: `faults_probe v=1 ${Date.now()}`,
  });
  return response.status === 204;
}

/**
 * InfluxDB away under load: stopped, then (on a small tmpfs) out of disk space. Ingest
 * holds and retries, the broker keeps the rest for ingest's session; afterwards every
 * sent seq is stored once.
 */
describe('fault: InfluxDB unavailable under load', () => {
  let influxDir = '';
  const village = new FaultVillage({
    name: 'faults-influx',
    pollIntervalS: 1,
    beforeStart: (dir) => {
      influxDir = join(dir, 'stack', 'influxdb');
      if (TMPFS) mountTmpfs(influxDir, TMPFS_BYTES);
    },
  });
  let load: LoadPublisher;
  const expectation = () => ({ ledger: village.ledger, load });

  beforeAll(async () => {
    await village.start();
    load = await village.startLoad(150);
    await sleep(3000);
  }, 180_000);

  afterAll(async () => {
    await village.stop({ keep: true });
    if (TMPFS && influxDir) {
      if (process.env.FAULTS_KEEP === '1') execFileSync('cp', ['-a', influxDir, `${influxDir}.kept`]);
      unmount(influxDir);
    }
    if (process.env.FAULTS_KEEP !== '1') rmSync(village.dir, { recursive: true, force: true });
  }, 60_000);

  it(
    `InfluxDB stopped for ${OUTAGE_S} s: nothing lost, nothing doubled`,
    async () => {
      const sentBefore = load.ackedCount;
      await village.stack.influxd!.stop();
      await sleep(OUTAGE_S * 1000);
      await village.stack.influxd!.start();
      const report = await awaitDelivery(village.stack, expectation(), 120_000);
      logReport(`InfluxDB stopped ${OUTAGE_S} s`, report, { sentDuringOutage: load.ackedCount - sentBefore });
      expect(load.ackedCount - sentBefore).toBeGreaterThan(OUTAGE_S * 100);
      expect(report.missing, summary(report)).toEqual([]);
      expect(report.duplicated, summary(report)).toEqual([]);
      expect(report.gaps, summary(report)).toEqual([]);
    },
    (OUTAGE_S + 180) * 1000,
  );

  it.skipIf(!TMPFS)(
    'InfluxDB disk full: writes are refused and retried, then everything is stored once',
    async () => {
      const ingestPort = village.stack.ports.ingestHttp;
      const retriesBefore = await writeRetries(ingestPort);
      const filler = join(influxDir, 'filler');
      const filled = await fillDisk(filler, influxDir);
      try {
        await waitFor(
          'ingest retrying refused writes',
          async () => (await writeRetries(ingestPort)) > retriesBefore,
          {
            timeoutMs: 30_000,
            intervalMs: 500,
          },
        );
        await sleep(10_000);
        expect(village.stack.influxd!.running, 'influxd survives a full disk').toBe(true);
      } finally {
        freeDisk(filler);
      }
      // influxd 1.6.7 keeps failing on its WAL after the disk has room again (the error sticks
      // to the open segment writer): recovery is the runbook's "free space, restart influxd".
      await sleep(5000);
      const recoveredByItself = await probeWrite(village.stack.influxUrl, village.stack.database);
      await village.stack.influxd!.stop();
      await village.stack.influxd!.start();
      const report = await awaitDelivery(village.stack, expectation(), 120_000);
      logReport('InfluxDB disk full', report, {
        filledBytes: filled,
        influxdRecoveredWithoutRestart: recoveredByItself,
        writeRetries: (await writeRetries(ingestPort)) - retriesBefore,
      });
      expect(report.missing, summary(report)).toEqual([]);
      expect(report.duplicated, summary(report)).toEqual([]);
      expect(report.gaps, summary(report)).toEqual([]);
    },
    240_000,
  );
});
