import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedInfluxd } from '../../stack/index.js';
import { findInfluxdPid } from './influxd-pid.js';

/** A temp folder and a fresh managed influxd (Debian's 1.6.7) with one database, for one benchmark. */
export class BenchEnvironment {
  readonly dir = mkdtempSync(join(tmpdir(), 'village-bench-'));
  readonly influxd = new ManagedInfluxd({
    dataDir: join(this.dir, 'influxdb'),
    logFile: join(this.dir, 'influxd.log'),
  });
  influxdPid = 0;

  constructor(readonly database = 'bench') {}

  async start(): Promise<void> {
    await this.influxd.start();
    await this.influxd.createDatabase(this.database);
    const pid = findInfluxdPid(join(this.dir, 'influxdb'));
    if (pid === undefined) throw new Error('cannot find the influxd process');
    this.influxdPid = pid;
  }

  async stop(): Promise<void> {
    await this.influxd.stop();
    // BENCH_KEEP=1 keeps logs, configs and data for a look afterwards.
    if (process.env.BENCH_KEEP === '1') process.stderr.write(`kept ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}
