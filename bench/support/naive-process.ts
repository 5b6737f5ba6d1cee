import { join } from 'node:path';
import { waitFor } from '../../runtime/index.js';
import { Child } from './child-process.js';
import { clearSession } from './clear-session.js';
import type { ConsumerPlace } from './consumer-place.js';

/**
 * The naive subscriber (naive-ingest-main.ts) as a process; counts what it reports as written.
 * `persistentSession`: it connects with `clean: false` under `clientId`, as someone who
 * wants the broker to keep messages while the script is down would, so the broker stores
 * each message for it as it does for ours; its session is removed again at stop().
 */
export class NaiveIngestProcess {
  private child: Child | undefined;
  private ready = false;
  written = 0;

  constructor(
    private readonly options: ConsumerPlace & {
      persistentSession?: { clientId: string };
      /** `mqtt-packet`: the same script on mqtt.js' protocol library over a bare socket. */
      client?: 'mqtt.js' | 'mqtt-packet';
      /** Writes a V8 CPU profile into this folder when the process exits. */
      cpuProfileDir?: string | undefined;
    },
  ) {}

  get pid(): number {
    return (this.child as Child).pid;
  }

  async start(): Promise<void> {
    const { options } = this;
    const child = Child.node('bench/support/naive-ingest-main.ts', [], {
      logFile: join(options.dir, 'naive-ingest.log'),
      ipc: true,
      nodeFlags: options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [],
      env: {
        MQTT_URL: options.brokerUrl,
        MQTT_USERNAME: options.users?.ingest.username ?? '',
        MQTT_PASSWORD: options.users?.ingest.password ?? '',
        INFLUX_URL: options.influxUrl,
        INFLUX_DATABASE: options.database,
        NAIVE_CLIENT: options.client ?? 'mqtt.js',
        ...(options.persistentSession
          ? { MQTT_CLIENT_ID: options.persistentSession.clientId, MQTT_CLEAN: 'false' }
          : {}),
      },
    });
    child.process.on('message', (message: { ready?: boolean; written?: number }) => {
      if (message.ready) this.ready = true;
      if (message.written !== undefined) this.written = message.written;
    });
    this.child = child;
    await waitFor('naive ingest subscribed', () => this.ready, { timeoutMs: 30_000 });
  }

  async stop(): Promise<void> {
    await this.child?.stop();
    this.child = undefined;
    const { persistentSession, brokerUrl, users } = this.options;
    if (persistentSession) await clearSession(brokerUrl, persistentSession.clientId, users?.ingest);
  }
}
