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
/** Every fsync / fdatasync of the broker returns this late (strace's fault injection), µs. */
const SYNC_DELAY_US = 200_000;

interface SyncCall {
  /** Epoch ms the call started and returned to the broker (the injected delay included). */
  start: number;
  end: number;
}

/** `strace -ttt -T` lines of fsync / fdatasync that returned 0; -T leaves the injected delay out. */
function syncCalls(traceFile: string): SyncCall[] {
  return readFileSync(traceFile, 'utf8')
    .split('\n')
    .flatMap((line) => {
      const match = /^\d+\s+(\d+\.\d+) f(?:data)?sync\(\d+\)\s+= 0 (\(DELAYED\) )?<(\d+\.\d+)>/.exec(line);
      if (!match) return [];
      const start = Number(match[1]) * 1000;
      const delayed = match[2] ? SYNC_DELAY_US / 1000 : 0;
      return [{ start, end: start + Number(match[3]) * 1000 + delayed }];
    });
}

/**
 * The gateway deletes a reading once the broker acknowledged it, so the PUBACK must wait
 * until the message is on the disk, not merely handed to the OS (which a power cut
 * loses). The broker runs under strace, which records every fsync/fdatasync it makes
 * with the time it started and returned (and holds each back, so that what waits for one
 * shows); each PUBACK must come after a sync that began after its PUBLISH was sent, with a
 * persistent consumer away so the message is stored. A consumer that is online gets the
 * message without waiting for that sync: only the PUBACK needs it.
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
        '-e',
        `inject=fsync,fdatasync:delay_exit=${SYNC_DELAY_US}`,
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

  it('hands a message to an online persistent subscriber while its sync runs, and acknowledges it after', async () => {
    const online = await connectClient(mqttUrl, { ...INGEST, clientId: 'ingest-online' });
    await online.subscribeAsync(TOPIC, { qos: 1 });
    const received: number[] = [];
    online.on('message', () => received.push(Date.now()));

    const gateway = await connectClient(mqttUrl, GATEWAY);
    const sent = Date.now();
    await gateway.publishAsync(TOPIC, JSON.stringify({ seq: 'online' }), { qos: 1 });
    const acked = Date.now();
    await waitFor('the subscriber has it', () => received.length === 1);

    // The sync that stored it for the subscriber's session: the first to begin after the PUBLISH.
    const sync = syncCalls(traceFile()).find((s) => s.start >= sent - 1);
    expect(sync).toBeDefined();
    expect(received[0]).toBeLessThan(sync!.end);
    expect(acked + 1).toBeGreaterThanOrEqual(sync!.end);
  });
});
