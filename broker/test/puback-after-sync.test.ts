import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicFilters, topics } from '../../contracts/index.js';
import { PROJECT_ROOT, siblingEntryCommand, freePort, waitFor } from '../../runtime/index.js';
import {
  addSessionAccounts,
  closeAllClients,
  connectClient,
  SESSION_ACCOUNTS,
  tempBrokerDir,
} from './harness.js';

const INGEST = { ...SESSION_ACCOUNTS.ingest, clientId: 'ingest-sync' };
const GATEWAY = SESSION_ACCOUNTS.gateway;
const TOPIC = topics.telemetry('s', 'gw-a', 'meter-1');
const MESSAGES = 30;

interface SyncCall {
  /** Epoch ms the call started and returned. */
  start: number;
  end: number;
}

/** `strace -ttt -T` lines of fsync / fdatasync that returned 0. */
function syncCalls(traceFile: string): SyncCall[] {
  return readFileSync(traceFile, 'utf8')
    .split('\n')
    .flatMap((line) => {
      const match = /^\d+\s+(\d+\.\d+) f(?:data)?sync\(\d+\)\s+= 0 <(\d+\.\d+)>/.exec(line);
      if (!match) return [];
      const start = Number(match[1]) * 1000;
      return [{ start, end: start + Number(match[2]) * 1000 }];
    });
}

/**
 * The gateway deletes a reading once the broker acknowledged it, so the PUBACK must wait
 * until the message is on the disk, not merely handed to the OS (which a power cut
 * loses). The broker runs under strace, which records every fsync/fdatasync it makes
 * with the time it started and returned; each PUBACK must come after a sync that began
 * after its PUBLISH was sent, with a persistent consumer away so the message is stored.
 */
describe('the broker acknowledges a QoS 1 message only after a synchronous write', () => {
  let dir: Awaited<ReturnType<typeof tempBrokerDir>>;
  let broker: ChildProcess;
  let mqttUrl: string;
  const traceFile = () => join(dir.path, 'broker.strace');

  beforeAll(async () => {
    dir = await tempBrokerDir();
    await addSessionAccounts(dir.credentialsFile);
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    broker = spawn(
      'strace',
      [
        '-f',
        '-qq',
        '-ttt',
        '-T',
        '-e',
        'trace=fsync,fdatasync',
        '-o',
        traceFile(),
        process.execPath,
        ...siblingEntryCommand('broker/main.ts'),
      ],
      {
        cwd: PROJECT_ROOT,
        env: {
          ...process.env,
          BROKER_MQTT_PORT: String(mqttPort),
          BROKER_HTTP_PORT: String(httpPort),
          BROKER_CREDENTIALS_FILE: dir.credentialsFile,
          BROKER_PERSISTENCE_DIR: dir.sessionsDir,
          LOG_LEVEL: 'warn',
        },
        stdio: 'ignore',
        // Its own process group, so the broker and strace end together.
        detached: true,
      },
    );
    await waitFor(
      'the broker under strace',
      async () => {
        if (broker.exitCode !== null) throw new Error(`strace exited with ${broker.exitCode}`);
        return (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).ok;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  }, 90_000);

  afterAll(async () => {
    await closeAllClients();
    if (broker && broker.exitCode === null) {
      const exited = new Promise((resolve) => broker.once('exit', resolve));
      process.kill(-(broker.pid as number), 'SIGKILL');
      await exited;
    }
    await dir?.remove();
  });

  it('syncs between every PUBLISH and its PUBACK', async () => {
    const away = await connectClient(mqttUrl, INGEST);
    await away.subscribeAsync(topicFilters.siteStreams('s'), { qos: 1 });
    await away.endAsync();

    const gateway = await connectClient(mqttUrl, GATEWAY);
    const exchanges: Array<{ sent: number; acked: number }> = [];
    for (let i = 0; i < MESSAGES; i++) {
      const sent = Date.now();
      await gateway.publishAsync(TOPIC, JSON.stringify({ seq: i }), { qos: 1 });
      exchanges.push({ sent, acked: Date.now() });
    }
    // strace writes a line when the call returns: everything before the last PUBACK is in the file now.
    const syncs = syncCalls(traceFile());
    // Both clocks are the wall clock in ms; a 1 ms margin covers their rounding.
    const unsynced = exchanges.filter(
      ({ sent, acked }) => !syncs.some((s) => s.start >= sent - 1 && s.end <= acked + 1),
    );
    expect(syncs.length).toBeGreaterThanOrEqual(MESSAGES);
    expect(unsynced).toEqual([]);
  });
});
