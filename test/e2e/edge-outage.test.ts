import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { getProfile, telemetryMeasurement } from '../../devices/index.js';
import { DEMO_SITE_FILE, loadSite, type Site } from '../../site/index.js';
import { VillageStack, rowsOf } from '../../stack/index.js';
import { TcpProxy } from '../support/index.js';
import { freePort, waitFor } from '../../runtime/index.js';

const POLLED = 50;

/** The demo village with extra single-phase meters, so the gateway polls 50 meters. */
function villageWith50Meters(): Site {
  const site = loadSite(DEMO_SITE_FILE);
  const polled = site.devices.filter((d) => getProfile(d.profile).protocol !== 'mqtt');
  const modbusBuses = site.buses.filter((b) => b.protocol !== 'dlt645');
  const extra = Array.from({ length: POLLED - polled.length }, (_, i) => {
    const bus = modbusBuses[i % modbusBuses.length]!;
    const anchor = site.devices.find((d) => d.bus === bus.id)!;
    return {
      ...anchor,
      id: `extra-meter-${i + 1}`,
      name: `附加电表 ${i + 1}`,
      profile: 'chint-ddsu666',
      unitId: 100 + i,
      pollIntervalS: 5,
      simulation: { peak: 3000, nominalVoltage: 230 },
    };
  });
  return { ...site, devices: [...site.devices, ...extra] };
}

/**
 * The store-and-forward check through the whole pipeline: the village uplink
 * fails while 50 meters are polled, the gateway is killed with SIGKILL in the middle of
 * the outage and restarted, the uplink comes back: every reading lands in InfluxDB
 * exactly once, and the only gap per meter is the deliberate seq skip after the crash.
 */
describe('gateway store-and-forward through the whole pipeline', () => {
  let dir: string;
  let stack: VillageStack;
  let uplink: TcpProxy;
  let site: Site;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edge-outage-'));
    site = villageWith50Meters();
    const siteFile = join(dir, 'site.yaml');
    writeFileSync(siteFile, stringify(site));
    const mqtt = await freePort();
    uplink = new TcpProxy(await freePort(), mqtt);
    await uplink.start();
    stack = new VillageStack({
      dataDir: join(dir, 'stack'),
      siteFile,
      ports: { mqtt },
      edgeUpstreamUrl: `mqtt://127.0.0.1:${uplink.listenPort}`,
      env: { ingest: { INGEST_FLUSH_INTERVAL_MS: '200' } },
    });
    await stack.start();
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await uplink?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('loses nothing and stores nothing twice across an uplink outage and a kill -9', async () => {
    const meters = site.devices.filter((d) => getProfile(d.profile).protocol !== 'mqtt');
    expect(meters).toHaveLength(POLLED);
    const query = async (q: string) => rowsOf(await stack.influxd!.query(stack.database, q));
    const measurementOf = (device: string) =>
      telemetryMeasurement(getProfile(site.devices.find((d) => d.id === device)!.profile));

    await waitFor(
      'a reading of every meter',
      async () => {
        for (const meter of meters) {
          const rows = await query(
            `SELECT seq FROM "${measurementOf(meter.id)}" WHERE device = '${meter.id}' LIMIT 1`,
          );
          if (rows.length === 0) return false;
        }
        return true;
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );

    const cutAt = Date.now();
    uplink.cut();
    await sleep(20_000);
    const killAt = Date.now();
    await stack.service('edge').stop('SIGKILL');
    await stack.service('edge').start({ waitReady: false });
    await sleep(15_000);
    const restoreAt = Date.now();
    uplink.restore();

    const edgeStatus = `http://127.0.0.1:${stack.ports.edgeHttp}/api/status`;
    await waitFor(
      'the gateway buffer to drain',
      async () => {
        const status = (await (await fetch(edgeStatus)).json()) as { buffer: { depth: number } };
        return status.buffer.depth === 0;
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    await waitFor(
      'a live reading of every meter after the uplink returned',
      async () => {
        for (const meter of meters) {
          const rows = await query(
            `SELECT seq FROM "${measurementOf(meter.id)}" WHERE device = '${meter.id}' AND time > ${restoreAt}ms LIMIT 1`,
          );
          if (rows.length === 0) return false;
        }
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );

    for (const meter of meters) {
      const rows = await query(`SELECT seq FROM "${measurementOf(meter.id)}" WHERE device = '${meter.id}'`);
      const seqs = rows.map((r) => r.seq as number);
      const times = rows.map((r) => r.time as number);
      expect(new Set(seqs).size, `${meter.id}: a seq stored twice`).toBe(seqs.length);
      const sorted = [...seqs].sort((a, b) => a - b);
      const runs = sorted.reduce<number[][]>((acc, seq) => {
        const run = acc[acc.length - 1];
        if (run && seq === run[run.length - 1]! + 1) run.push(seq);
        else acc.push([seq]);
        return acc;
      }, []);
      // one run before the crash and one after; the jump between them is the crash skip
      expect(
        runs.length,
        `${meter.id}: holes in ${JSON.stringify(runs.map((r) => [r[0], r[r.length - 1]]))}`,
      ).toBeLessThanOrEqual(2);
      expect(
        times.some((t) => t > cutAt + 2000 && t < killAt - 1000),
        `${meter.id}: readings buffered before the kill`,
      ).toBe(true);
      expect(
        times.some((t) => t > killAt + 5000 && t < restoreAt),
        `${meter.id}: readings buffered after the restart`,
      ).toBe(true);
      expect(
        times.some((t) => t > restoreAt),
        `${meter.id}: live readings after the uplink returned`,
      ).toBe(true);
    }
  }, 300_000);
});
