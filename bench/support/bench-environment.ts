import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedInfluxd } from '../../stack/index.js';
import type { RunningBroker } from './brokers.js';
import type { ConsumerPlace } from './consumer-place.js';
import type { BenchTarget } from './pipeline-run.js';
import { findInfluxdPid } from './influxd-pid.js';
import { removeUnlessKept } from './bench-folder.js';

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

  /** What a pipeline run needs: this influxd and `broker`, publishing as `users` (the broker's by default). */
  target(broker: RunningBroker, users = broker.users): BenchTarget {
    return {
      influxd: this.influxd,
      influxdPid: this.influxdPid,
      database: this.database,
      brokerUrl: broker.url,
      brokerPid: broker.child.pid,
      users,
    };
  }

  /** Where a consumer under test (ours or the naive one) reads from and writes to: `broker` and this influxd. */
  consumerPlace(broker: RunningBroker, users = broker.users): ConsumerPlace {
    return {
      brokerUrl: broker.url,
      users,
      influxUrl: this.influxd.url,
      database: this.database,
      dir: this.dir,
    };
  }

  async stop(): Promise<void> {
    await this.influxd.stop();
    removeUnlessKept(this.dir);
  }
}
