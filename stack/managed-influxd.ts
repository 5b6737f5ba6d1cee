import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, waitFor } from '../runtime/index.js';
import { binaryOnPath, exitDuringStart, spawnWatched, stopWatched } from './watched-child.js';

export interface ManagedInfluxdOptions {
  /** Folder for meta, data and WAL; kept across restarts so data survives. */
  dataDir: string;
  /** HTTP port; a free one is picked when omitted. */
  port?: number;
  /** influxd binary (Debian's `influxdb` package installs /usr/bin/influxd). */
  binary?: string;
  /** Where influxd's own output goes; ignored when omitted. */
  logFile?: string;
}

/**
 * A local `influxd` (1.x) that this project starts, stops and restarts itself: the
 * main job runs on one when no INFLUX_URL is given, and integration tests get a
 * fresh one on a free port.
 */
export class ManagedInfluxd {
  private child: ChildProcess | undefined;
  private httpPort = 0;
  private rpcPort = 0;

  constructor(private readonly options: ManagedInfluxdOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  get port(): number {
    return this.httpPort;
  }

  /** influxd's RPC address (`bind-address`), where `influxd backup` and `restore` connect. */
  get rpcAddress(): string {
    return `127.0.0.1:${this.rpcPort}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  static binaryAvailable(binary = 'influxd'): boolean {
    return binaryOnPath(binary);
  }

  async start(): Promise<void> {
    if (this.running) return;
    const dataDir = resolve(this.options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    if (this.httpPort === 0) this.httpPort = this.options.port ?? (await freePort());
    if (this.rpcPort === 0) this.rpcPort = await freePort();
    const configFile = join(dataDir, 'influxdb.conf');
    writeFileSync(configFile, renderConfig(dataDir, this.httpPort, this.rpcPort));
    const binary = this.options.binary ?? 'influxd';
    const child = spawnWatched(binary, ['-config', configFile], this.options.logFile);
    this.child = child;
    const exited = exitDuringStart(child, binary);
    await Promise.race([
      waitFor(`influxd on ${this.url}`, async () => (await fetch(`${this.url}/ping`)).status === 204, {
        timeoutMs: 30_000,
      }),
      exited,
    ]);
  }

  /** Stops influxd; `kill` sends SIGKILL to simulate a crash instead of a clean shutdown. */
  async stop({ kill = false }: { kill?: boolean } = {}): Promise<void> {
    await stopWatched(this.child, kill ? 'SIGKILL' : 'SIGTERM');
    this.child = undefined;
  }

  async query(database: string, influxql: string): Promise<InfluxQueryResult> {
    const params = new URLSearchParams({ db: database, q: influxql, epoch: 'ms' });
    const response = await fetch(`${this.url}/query?${params}`);
    if (!response.ok) throw new Error(`query failed with ${response.status}: ${await response.text()}`);
    return (await response.json()) as InfluxQueryResult;
  }

  async createDatabase(database: string): Promise<void> {
    const response = await fetch(`${this.url}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q: `CREATE DATABASE "${database}"` }),
    });
    if (!response.ok) throw new Error(`CREATE DATABASE failed: ${response.status} ${await response.text()}`);
  }
}

export interface InfluxQueryResult {
  results: Array<{
    statement_id?: number;
    error?: string;
    series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>;
  }>;
}

/** Rows of the first series of the first statement, as objects keyed by column. */
export function rowsOf(result: InfluxQueryResult): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  for (const statement of result.results) {
    if (statement.error) throw new Error(statement.error);
    for (const series of statement.series ?? []) {
      for (const values of series.values) {
        const row: Record<string, unknown> = { ...series.tags };
        series.columns.forEach((column, i) => (row[column] = values[i]));
        rows.push(row);
      }
    }
  }
  return rows;
}

function renderConfig(dataDir: string, httpPort: number, rpcPort: number): string {
  return `reporting-enabled = false
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(dataDir, 'meta')}"

[data]
  dir = "${join(dataDir, 'data')}"
  wal-dir = "${join(dataDir, 'wal')}"
  query-log-enabled = false
  cache-max-memory-size = 268435456

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  pprof-enabled = false

[logging]
  level = "warn"
`;
}
