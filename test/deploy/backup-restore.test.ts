import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBackup } from '../../deploy/index.js';
import { ManagedInfluxd, rowsOf, VillageStack } from '../../stack/index.js';
import { AlertingVillage } from '../support/alerting-village.js';
import { PageClient } from '../support/page-client.js';
import { REPO_ROOT } from './support/compose-file.js';
import { waitFor } from '../../runtime/index.js';

const run = promisify(execFile);

/** `deploy/cli.ts` as an operator runs it; throws with its stderr when it fails. */
async function deployCli(args: string[]): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'deploy/cli.ts', ...args], {
      cwd: REPO_ROOT,
    });
    return stdout;
  } catch (error) {
    throw new Error(
      `deploy/cli.ts ${args[0]} failed: ${(error as { stderr?: string }).stderr ?? String(error)}`,
    );
  }
}

/** The state areas of a VillageStack's data folder, as `--area name=path` options. */
function areaOptions(dataDir: string): string[] {
  const areas = {
    broker: join(dataDir, 'broker'),
    alerting: join(dataDir, 'alerting'),
    ingest: join(dataDir, 'ingest'),
    // The stack's own config: the passwords its services log in with.
    config: join(dataDir, 'secrets.json'),
  };
  return Object.entries(areas).flatMap(([name, path]) => ['--area', `${name}=${path}`]);
}

async function count(
  influx: { query(db: string, q: string): Promise<unknown> },
  database: string,
  until: number,
) {
  const rows = rowsOf(
    (await influx.query(
      database,
      `SELECT count(voltage_v) AS n FROM electricity WHERE time <= ${until}ms`,
    )) as never,
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * A running village (data, an acknowledged fire alarm, credentials) is backed up with
 * `deploy/cli.ts backup`, restored with `deploy/cli.ts restore` into an empty folder,
 * and the restored stack serves the same data, alert history and logins.
 */
describe('backup and restore of a running stack', () => {
  const root = mkdtempSync(join(tmpdir(), 'backup-restore-'));
  const backups = join(root, 'backups');
  const restoredDir = join(root, 'restored');
  let original: AlertingVillage;
  let restored: VillageStack | undefined;
  let backupFolder = '';
  let pointsUntil = 0;
  let pointsBefore = 0;
  let alertId = '';
  let secrets: VillageStack['secrets'];

  beforeAll(async () => {
    original = new AlertingVillage({ name: 'backup-original', alertingConfig: {} });
    await original.start();
    const stack = original.stack;
    secrets = stack.secrets;
    const influx = stack.influxd as ManagedInfluxd;

    await waitFor(
      'readings in InfluxDB older than 10 s',
      async () => (await count(influx, stack.database, Date.now() - 10_000)) > 20,
      { timeoutMs: 90_000 },
    );
    await original.injectFault('fire-alarm', 'canteen-fire-panel');
    const alert = await waitFor(
      'the fire alarm',
      async () => (await original.alerts('?rule=fire-alarm')).find((a) => a.device === 'canteen-fire-panel'),
      { timeoutMs: 60_000 },
    );
    alertId = alert.id;
    await original.acknowledge(alertId, '恢复测试：已到现场');

    pointsUntil = Date.now() - 10_000;
    const output = await deployCli([
      'backup',
      '--to',
      backups,
      '--influx-host',
      influx.rpcAddress,
      '--database',
      stack.database,
      ...areaOptions(stack.dataDir),
    ]);
    backupFolder = /backup written: (\S+)/.exec(output)?.[1] ?? '';
    pointsBefore = await count(influx, stack.database, pointsUntil);
    await original.stop();

    // A fresh server: an empty InfluxDB, then the platform's state, then the services.
    const influxd = new ManagedInfluxd({ dataDir: join(restoredDir, 'influxdb') });
    await influxd.start();
    try {
      await deployCli([
        'restore',
        backupFolder,
        '--influx-host',
        influxd.rpcAddress,
        ...areaOptions(restoredDir),
      ]);
    } finally {
      await influxd.stop();
    }
    restored = new VillageStack({ dataDir: restoredDir, logLevel: 'warn' });
    await restored.start();
  }, 300_000);

  afterAll(async () => {
    await restored?.stop();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('writes a versioned manifest with every state file and its checksum, and no broker sessions', () => {
    const manifest = readBackup(backupFolder);
    expect(manifest.version).toBe(1);
    expect(manifest.influx?.database).toBe('village');
    const files = (area: string) => manifest.areas[area]?.files.map((f) => f.path) ?? [];
    expect(files('broker')).toContain('credentials.json');
    expect(files('broker').some((f) => f.startsWith('sessions/'))).toBe(false);
    expect(files('alerting')).toEqual(expect.arrayContaining(['alerting-journal.jsonl', 'people.json']));
    expect(files('config')).toEqual(['secrets.json']);
  });

  it('serves the same readings', async () => {
    expect(pointsBefore).toBeGreaterThan(20);
    const stack = restored as VillageStack;
    expect(await count(stack.influxd as ManagedInfluxd, stack.database, pointsUntil)).toBe(pointsBefore);
  });

  it('has the same alert history: the fire alarm with its acknowledgement', async () => {
    const stack = restored as VillageStack;
    const response = await fetch(`http://127.0.0.1:${stack.ports.alertingHttp}/api/alerts/${alertId}`, {
      headers: { authorization: `Bearer ${secrets.alertingApiToken}` },
    });
    expect(response.status).toBe(200);
    const alert = (await response.json()) as { ruleId: string; device: string; ack?: { by: string } };
    expect(alert).toMatchObject({ ruleId: 'fire-alarm', device: 'canteen-fire-panel' });
    expect(alert.ack?.by).toBeTruthy();
  });

  it('lets the same people in: the operators page admin, and the MQTT accounts', async () => {
    const stack = restored as VillageStack;
    const page = new PageClient(`http://127.0.0.1:${stack.ports.alertingHttp}`);
    expect(await page.login('admin', secrets.operatorsAdminPassword)).toBe(true);
    expect(await new PageClient(page.baseUrl).login('admin', 'not-the-password')).toBe(false);
    const client = await mqtt.connectAsync(stack.mqttUrl, {
      username: 'admin',
      password: secrets.adminPassword,
      reconnectPeriod: 0,
    });
    await client.endAsync();
    const ready = await fetch(`http://127.0.0.1:${stack.ports.ingestHttp}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('refuses to restore over a server that holds state, and a backup from a newer release', async () => {
    await expect(
      deployCli(['restore', backupFolder, '--no-influx', ...areaOptions(restoredDir)]),
    ).rejects.toThrow(/not restoring over existing state: broker/);
    const manifestFile = join(backupFolder, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { version: number };
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, version: 2 }));
    await expect(
      deployCli(['restore', backupFolder, '--no-influx', ...areaOptions(join(root, 'elsewhere'))]),
    ).rejects.toThrow(/backup format 2, newer than this release reads \(1\)/);
  });
});
