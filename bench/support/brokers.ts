import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BROKER_PROCESS_ENV } from '../../broker/index.js';
import { freePort } from '../../runtime/index.js';
import { BENCH_GATEWAY, BENCH_SITE, writeBenchCredentials, type BenchUsers } from './bench-credentials.js';
import { Child, waitForPort } from './child-process.js';

export type BrokerKind = 'ours' | 'aedes' | 'mosquitto' | 'mosquitto-auth';

export const BROKER_LABELS: Record<BrokerKind, string> = {
  ours: 'BrokerService (auth + ACL)',
  aedes: 'bare aedes (anonymous)',
  mosquitto: 'mosquitto (anonymous)',
  'mosquitto-auth': 'mosquitto (password file + ACL)',
};

export interface RunningBroker {
  kind: BrokerKind;
  url: string;
  child: Child;
  /** Credentials clients must use; undefined for anonymous brokers. */
  users: BenchUsers | undefined;
  stop(): Promise<void>;
}

export const MOSQUITTO_BINARY = '/usr/sbin/mosquitto';

export function mosquittoAvailable(): boolean {
  return existsSync(MOSQUITTO_BINARY);
}

/** Starts one broker as its own process on a free loopback port. */
export async function startBroker(
  kind: BrokerKind,
  dir: string,
  nodeFlags: string[] = [],
  /** Ours only: where sessions live. `disk` (the production default) keeps them in `dir`. */
  persistence: 'disk' | 'memory' = 'disk',
  /** Ours only: more environment (limits, …). */
  env: Record<string, string> = {},
): Promise<RunningBroker> {
  const port = await freePort();
  const logFile = join(dir, `broker-${kind}.log`);
  let child: Child;
  let users: BenchUsers | undefined;
  if (kind === 'ours') {
    const credentialsFile = join(dir, `credentials-${port}.json`);
    users = await writeBenchCredentials(credentialsFile);
    child = Child.node('broker/main.ts', [], {
      logFile,
      nodeFlags,
      env: {
        ...BROKER_PROCESS_ENV,
        BROKER_MQTT_PORT: String(port),
        BROKER_HTTP_PORT: String(await freePort()),
        BROKER_CREDENTIALS_FILE: credentialsFile,
        BROKER_PERSISTENCE: persistence,
        BROKER_PERSISTENCE_DIR: join(dir, `broker-sessions-${port}`),
        ...env,
      },
    });
  } else if (kind === 'aedes') {
    child = Child.node('bench/support/bare-aedes-main.ts', [], {
      logFile,
      nodeFlags,
      env: { PORT: String(port) },
    });
  } else {
    const config = join(dir, `mosquitto-${port}.conf`);
    const lines = [`listener ${port} 127.0.0.1`, 'persistence false', 'log_dest stderr', 'log_type error'];
    // Run as root, mosquitto switches to the `mosquitto` user, which cannot read our 0700 temp folder.
    if (process.getuid?.() === 0) lines.push('user root');
    // The per-client queue limits are raised so QoS 1 bursts are not dropped by mosquitto's defaults (1000 queued).
    lines.push('max_queued_messages 1000000', 'max_inflight_messages 0');
    if (kind === 'mosquitto') {
      lines.push('allow_anonymous true');
    } else {
      users = {
        gateway: { username: BENCH_GATEWAY, password: 'bench-gateway-password' },
        ingest: { username: 'ingest', password: 'bench-ingest-password' },
      };
      const passwords = join(dir, `mosquitto-${port}.passwd`);
      writeFileSync(passwords, '');
      for (const user of [users.gateway, users.ingest]) {
        execFileSync('mosquitto_passwd', ['-b', passwords, user.username, user.password]);
      }
      const acl = join(dir, `mosquitto-${port}.acl`);
      writeFileSync(
        acl,
        [
          `user ${BENCH_GATEWAY}`,
          `topic write v1/${BENCH_SITE}/${BENCH_GATEWAY}/#`,
          'user ingest',
          `topic read v1/${BENCH_SITE}/#`,
          '',
        ].join('\n'),
      );
      lines.push('allow_anonymous false', `password_file ${passwords}`, `acl_file ${acl}`);
    }
    writeFileSync(config, `${lines.join('\n')}\n`);
    child = Child.spawn(MOSQUITTO_BINARY, ['-c', config], { logFile });
  }
  await waitForPort(port, child);
  return { kind, url: `mqtt://127.0.0.1:${port}`, child, users, stop: () => child.stop() };
}
