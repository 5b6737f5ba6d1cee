import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { topics } from '../../contracts/index.js';
import { DEMO_SITE_FILE } from '../../site/index.js';
import { waitFor } from '../../runtime/index.js';
import { partitionOf } from '../site-partition.js';
import {
  GATEWAY,
  TestBroker,
  TestClient,
  TestInflux,
  removeDir,
  startIngest,
  type IngestUnderTest,
} from './support/harness.js';

const SITES = Array.from({ length: 6 }, (_, i) => `village-${i + 1}`);
const MESSAGES_PER_SITE = 40;
const DEVICE = 'maker-hall-power';

async function pointsWritten(worker: IngestUnderTest): Promise<number> {
  const metrics = await (await fetch(`${worker.baseUrl}/metrics`)).text();
  return [...metrics.matchAll(/^ingest_points_written_total(?:\{[^}]*\})? (\d+)/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
}

/**
 * Two ingest workers with INGEST_PARTITION 1/2 and 2/2 over six villages: each village
 * is written by exactly one worker, both get work, and InfluxDB holds every point once.
 */
describe('ingest workers sharing sites by partition', () => {
  const broker = new TestBroker();
  const influx = new TestInflux();
  const workers: IngestUnderTest[] = [];
  let gateway: TestClient;

  beforeAll(async () => {
    await Promise.all([broker.start(), influx.start()]);
    const demo = parseYaml(readFileSync(DEMO_SITE_FILE, 'utf8')) as { site: { id: string } };
    const siteFiles = SITES.map((id) => {
      const file = join(influx.dir, `${id}.yaml`);
      writeFileSync(file, toYaml({ ...demo, site: { ...demo.site, id } }));
      return file;
    });
    for (const partition of ['1/2', '2/2']) {
      workers.push(await startIngest(broker.url, influx.influxd.url, { siteFiles, partition }));
    }
    gateway = await TestClient.connect(broker.url);
  });

  afterAll(async () => {
    await gateway?.end();
    for (const worker of workers) {
      await worker.service.stop();
      removeDir(worker.dir);
    }
    await broker.stop();
    await influx.stop();
  });

  it('writes every village once, each by its own worker', async () => {
    // Both partitions own some of these villages (checked, so the test means something).
    expect(new Set(SITES.map((site) => partitionOf(site, 2)))).toEqual(new Set([1, 2]));
    const ts = Date.now() - 60_000;
    for (const site of SITES) {
      for (let seq = 0; seq < MESSAGES_PER_SITE; seq++) {
        await gateway.publish(topics.telemetry(site, GATEWAY, DEVICE), {
          ts: ts + seq,
          seq,
          values: { active_power_w: 1000 + seq },
        });
      }
    }
    const total = SITES.length * MESSAGES_PER_SITE;
    await waitFor('every point stored', async () => {
      const counts = await influx.rows('SELECT count(active_power_w) FROM electricity GROUP BY site');
      return counts.reduce((sum, row) => sum + Number(row.count), 0) === total;
    });
    const perSite = await influx.rows('SELECT count(active_power_w) FROM electricity GROUP BY site');
    expect(Object.fromEntries(perSite.map((row) => [row.site, Number(row.count)]))).toEqual(
      Object.fromEntries(SITES.map((site) => [site, MESSAGES_PER_SITE])),
    );

    const written = await Promise.all(workers.map(pointsWritten));
    const owned = [1, 2].map(
      (k) => SITES.filter((site) => partitionOf(site, 2) === k).length * MESSAGES_PER_SITE,
    );
    expect(written).toEqual(owned);
  }, 60_000);
});
