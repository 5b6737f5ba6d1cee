import { join } from 'node:path';
import { INGEST_PROCESS_ENV } from '../../ingest/index.js';
import { freePort, waitFor } from '../../runtime/index.js';
import { Child } from './child-process.js';
import type { ConsumerPlace } from './consumer-place.js';
import type { Consumer, RunResult } from './pipeline-run.js';
import { clearSession } from './clear-session.js';

export interface IngestProcessOptions extends ConsumerPlace {
  clientId: string;
  /** Writes a V8 CPU profile into this folder when the process exits. */
  cpuProfileDir?: string | undefined;
  nodeFlags?: string[];
  env?: Record<string, string>;
  /** Another build's `ingest/main.js` (the code before a change, for a same-round A/B). */
  entry?: string;
}

/** Our IngestService as a process (`ingest/main.ts`) started as shipped, configured through its environment variables. */
export class IngestProcess {
  private child: Child | undefined;
  private httpPort = 0;

  constructor(private readonly options: IngestProcessOptions) {}

  get pid(): number {
    return (this.child as Child).pid;
  }

  async start(): Promise<void> {
    const { options } = this;
    this.httpPort = await freePort();
    const nodeFlags = [
      ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
      ...(options.nodeFlags ?? []),
    ];
    const childOptions = {
      logFile: join(options.dir, `ingest-${options.clientId}.log`),
      nodeFlags,
      env: {
        // As the stack and compose start it; `options.env` may override NODE_OPTIONS.
        ...INGEST_PROCESS_ENV,
        INGEST_MQTT_URL: options.brokerUrl,
        ...(options.users
          ? {
              INGEST_MQTT_USERNAME: options.users.ingest.username,
              INGEST_MQTT_PASSWORD: options.users.ingest.password,
            }
          : {}),
        INGEST_MQTT_CLIENT_ID: options.clientId,
        INFLUX_URL: options.influxUrl,
        INFLUX_DATABASE: options.database,
        INGEST_HTTP_PORT: String(this.httpPort),
        INGEST_DEAD_LETTER_FILE: join(options.dir, `dead-letter-${options.clientId}.jsonl`),
        ...options.env,
      },
    };
    this.child = options.entry
      ? Child.spawn(process.execPath, [...nodeFlags, options.entry], childOptions)
      : Child.node('ingest/main.ts', [], childOptions);
    await waitFor(
      'ingest ready',
      async () => (await fetch(`http://127.0.0.1:${this.httpPort}/readyz`)).status === 200,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  }

  /** `ingest_points_written_total` summed over measurements. */
  async pointsWritten(): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.httpPort}/metrics`)).text();
    let total = 0;
    for (const match of text.matchAll(/^ingest_points_written_total\{[^}]*\} (\d+)/gm))
      total += Number(match[1]);
    return total;
  }

  /** `ingest_invalid_total` summed over codes: should stay 0 with canonical load. */
  async invalid(): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.httpPort}/metrics`)).text();
    let total = 0;
    for (const match of text.matchAll(/^ingest_invalid_total\{[^}]*\} (\d+)/gm)) total += Number(match[1]);
    return total;
  }

  /** Stops the process and removes its persistent session from the broker, so nothing is queued for it later. */
  async stop(): Promise<void> {
    await this.child?.stop(10_000);
    this.child = undefined;
    const { users, brokerUrl, clientId } = this.options;
    await clearSession(brokerUrl, clientId, users?.ingest);
  }
}

/** Several ingest workers as one consumer of a pipeline run: each metered as `worker N`, their points added up. */
export function workersConsumer(workers: readonly IngestProcess[]): Consumer {
  return {
    pid: (workers[0] as IngestProcess).pid,
    pids: Object.fromEntries(workers.map((w, i) => [`worker ${i + 1}`, w.pid])),
    written: async () =>
      (await Promise.all(workers.map((w) => w.pointsWritten()))).reduce((a, b) => a + b, 0),
  };
}

/** CPU per point of all the workers of a `workersConsumer` run together. */
export function workersCpuPerPoint(result: RunResult): number {
  return Object.entries(result.cpuUsPerPoint)
    .filter(([name]) => name.startsWith('worker'))
    .reduce((sum, [, us]) => sum + us, 0);
}
