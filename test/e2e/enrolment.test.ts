import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { getCjt188Profile } from '../../devices/index.js';
import { runCli } from '../support/index.js';
import {
  Cjt188Line,
  deviceRandom,
  FlowMeterModel,
  startPtyPair,
  type PtyPair,
} from '../../firmware-sim/index.js';
import { createLogger, waitFor } from '../../runtime/index.js';
import { DEMO_SITE_FILE, enrolledFileOf, loadSite } from '../../site/index.js';
import { VillageStack, rowsOf } from '../../stack/index.js';

const DEVICE = 'canteen-water-meter';
const ADDRESS = '00000020250001';

/**
 * The technician's path from a meter found on a bus to readings on the platform: `add`
 * with the gateway's enrolment token writes the gateway config and registers the
 * meter with the platform, no site file edited by hand; after a gateway restart the
 * meter's readings are stored, not dead-lettered as DEVICE_UNKNOWN.
 */
describe('enrolling a new water meter from the technician CLI', () => {
  let dir: string;
  let siteFile: string;
  let stack: VillageStack;
  let pty: PtyPair;
  let line: Cjt188Line;
  let edgeConfig: string;
  const profile = getCjt188Profile('cjt188-cold-water');

  const add = (...extra: string[]) =>
    runCli(
      'add',
      '--config',
      edgeConfig,
      '--bus',
      'bus-water-meters',
      '--id',
      DEVICE,
      '--profile',
      profile.id,
      '--address',
      ADDRESS,
      '--rtu',
      pty.b,
      '--poll',
      '2',
      '--name',
      '社区食堂水表',
      '--zone',
      'dining',
      '--building',
      'canteen',
      '--enrol-url',
      `http://127.0.0.1:${stack.ports.ingestHttp}`,
      ...extra,
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'enrolment-e2e-'));
    siteFile = join(dir, 'village.yaml');
    // Every reading in 1 s batches (no `reporting`): the stack reads this very file, and the
    // enrolled overlay lands beside it.
    const { reporting: _uplink, ...demo } = parseYaml(readFileSync(DEMO_SITE_FILE, 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(siteFile, toYaml(demo));
    pty = await startPtyPair();
    line = new Cjt188Line({
      meters: [
        {
          address: ADDRESS,
          profile,
          model: new FlowMeterModel(
            { peakM3h: 1.5 },
            { clock: Date.now, random: deviceRandom(9, ADDRESS), utcOffsetMinutes: 480 },
          ),
        },
      ],
      line: { path: pty.a, serial: profile.serial },
      logger: createLogger('enrolment-e2e', { level: 'silent' }),
      refreshMs: 3_600_000,
    });
    await line.start();
    stack = new VillageStack({
      dataDir: join(dir, 'stack'),
      siteFile,
      env: { ingest: { INGEST_FLUSH_INTERVAL_MS: '200' } },
    });
    await stack.start();
    edgeConfig = join(stack.dataDir, 'edge', 'gateway.yaml');
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await line?.stop();
    await pty?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('refuses a wrong token and writes nothing', async () => {
    const before = readFileSync(edgeConfig, 'utf8');
    const { code, out } = await add('--enrol-token', 'not-the-token');
    expect(code).toBe(1);
    expect(out).toContain(
      '✘ 平台拒绝登记 / the platform refused the enrolment: [AUTH_FAILED] 认证失败 / Authentication failed',
    );
    expect(readFileSync(edgeConfig, 'utf8')).toBe(before);
    expect(existsSync(enrolledFileOf(siteFile))).toBe(false);
  }, 30_000);

  it('refuses a device the site would not accept, with the reason', async () => {
    const { code, out } = await add('--enrol-token', stack.secrets.enrolmentToken, '--zone', 'nowhere');
    expect(code).toBe(1);
    expect(out).toMatch(/\[CONFIG_INVALID\][\s\S]*canteen-water-meter": unknown zone "nowhere"/);
    expect(existsSync(enrolledFileOf(siteFile))).toBe(false);
  }, 30_000);

  it('adds the meter to the gateway, enrols it, and its readings reach InfluxDB', async () => {
    const { code, out } = await add('--enrol-token', stack.secrets.enrolmentToken);
    expect(code, out).toBe(0);
    expect(out).toContain(`✔ 已在平台登记 / enrolled with the platform: ${DEVICE} (新 new)`);
    expect(readFileSync(edgeConfig, 'utf8')).toContain(`id: ${DEVICE}`);
    const site = loadSite(siteFile);
    expect(site.devices.find((d) => d.id === DEVICE)).toMatchObject({
      gateway: 'gw-center',
      meterAddress: ADDRESS,
    });
    const listed = await fetch(`http://127.0.0.1:${stack.ports.ingestHttp}/api/enrolment/devices`, {
      headers: { authorization: `Bearer ${stack.secrets.enrolmentToken}` },
    });
    expect(((await listed.json()) as { devices: Array<{ id: string }> }).devices.map((d) => d.id)).toContain(
      DEVICE,
    );

    await stack.service('edge').stop();
    await stack.service('edge').start();
    const rows = await waitFor(
      'a reading of the enrolled meter in InfluxDB',
      async () => {
        const result = rowsOf(
          await stack.influxd!.query(
            stack.database,
            `SELECT * FROM "water" WHERE device = '${DEVICE}' LIMIT 1`,
          ),
        );
        return result.length > 0 ? result : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(rows[0]).toMatchObject({ zone: 'dining', building: 'canteen', model: profile.id });
    const deadLetters = join(stack.dataDir, 'ingest', 'dead-letter.jsonl');
    const rejected = existsSync(deadLetters) ? readFileSync(deadLetters, 'utf8') : '';
    expect(rejected).not.toContain(DEVICE);
  }, 120_000);
});
