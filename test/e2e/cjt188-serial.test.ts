import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCjt188Profile } from '../../devices/index.js';
import {
  Cjt188Line,
  deviceRandom,
  FlowMeterModel,
  startPtyPair,
  type PtyPair,
} from '../../firmware-sim/index.js';
import { createLogger, waitFor } from '../../runtime/index.js';
import { DEMO_SITE_FILE, loadSite, type Site } from '../../site/index.js';
import { stringify } from 'yaml';
import { VillageStack, rowsOf } from '../../stack/index.js';
import { rowWithFields } from '../support/index.js';

const DEVICE = 'canteen-water-meter';
const BUS = 'bus-water-meters';

/** The demo village with a CJ/T 188 water meter on a line of its own. */
function villageWithWaterMeter(): Site {
  const site = loadSite(DEMO_SITE_FILE);
  return {
    ...site,
    buses: [...site.buses, { id: BUS, gateway: 'gw-center', protocol: 'cjt188' }],
    devices: [
      ...site.devices,
      {
        id: DEVICE,
        name: '社区食堂水表',
        profile: 'cjt188-cold-water',
        zone: 'dining',
        building: 'canteen',
        gateway: 'gw-center',
        bus: BUS,
        meterAddress: '00000020250001',
        pollIntervalS: 2,
        ratings: {},
        simulation: {},
      },
    ],
  };
}

/**
 * A CJ/T 188 water meter on a real serial line (a socat pty pair) through the whole
 * pipeline: the gateway polls it at 2400 8E1, the broker and ingest carry the reading,
 * InfluxDB stores exactly what the meter served, valve and battery bits included.
 */
describe('a CJ/T 188 water meter on a serial line, end to end into InfluxDB', () => {
  let dir: string;
  let stack: VillageStack;
  let pty: PtyPair;
  let line: Cjt188Line;
  let address: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cjt188-e2e-'));
    pty = await startPtyPair();
    const siteFile = join(dir, 'site.yaml');
    writeFileSync(siteFile, stringify(villageWithWaterMeter()));
    stack = new VillageStack({
      dataDir: join(dir, 'stack'),
      siteFile,
      edgeBusEndpoints: { [BUS]: { path: pty.b } },
      env: { ingest: { INGEST_FLUSH_INTERVAL_MS: '200' } },
    });
    const device = stack.site.devices.find((d) => d.id === DEVICE);
    if (!device?.meterAddress) throw new Error(`the demo site has no ${DEVICE}`);
    address = device.meterAddress;
    const profile = getCjt188Profile(device.profile);
    line = new Cjt188Line({
      meters: [
        {
          address,
          profile,
          model: new FlowMeterModel(
            { peakM3h: 1.5 },
            { clock: Date.now, random: deviceRandom(7, address), utcOffsetMinutes: 480 },
          ),
          status: () => ({ valve: 1, batteryLow: true }),
        },
      ],
      line: { path: pty.a, serial: profile.serial },
      logger: createLogger('cjt188-e2e', { level: 'silent' }),
      refreshMs: 3_600_000,
    });
    await line.start();
    await stack.start();
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await line?.stop();
    await pty?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('stores what the meter served, tagged with its zone and building', async () => {
    const stored = await waitFor(
      'a whole reading of the water meter in InfluxDB',
      async () => {
        const served = line.lastServed(address)?.values;
        const result = rowsOf(
          await stack.influxd!.query(
            stack.database,
            `SELECT * FROM "water" WHERE device = '${DEVICE}' ORDER BY time DESC LIMIT 1`,
          ),
        );
        return served && rowWithFields(result, Object.keys(served));
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const served = line.lastServed(address)?.values;
    expect(served).toBeDefined();
    expect(stored).toMatchObject({ zone: 'dining', building: 'canteen', model: 'cjt188-cold-water' });
    for (const [field, value] of Object.entries(served!)) expect(stored[field], field).toBe(value);
    expect(stored).toMatchObject({ valve_state_code: 1, battery_low_code: 1 });
    expect(stored.forward_total_m3).toBeGreaterThan(100);
  }, 90_000);
});
