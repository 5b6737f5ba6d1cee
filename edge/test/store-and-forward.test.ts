import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryMessageSchema } from '../../contracts/index.js';
import { encodeReading, getModbusProfile } from '../../devices/index.js';
import { freePort, waitFor } from '../../runtime/index.js';
import { decodeEntry } from '../buffer/queue-key.js';
import { GatewayProcess } from './support/gateway-process.js';
import { ModbusTestServer } from './support/modbus-test-server.js';
import { firstArrivals, increasingRuns, missing } from './support/seq-checks.js';
import { UpstreamBroker } from './support/upstream-broker.js';
import { tempDir, writeTestConfig } from './support/gateway-harness.js';

const profile = getModbusProfile('chint-ddsu666');
const DEVICES = ['meter-1', 'meter-2'];

/** Telemetry seqs per device held in a (closed) gateway's buffer. */
async function bufferedSeqs(dataDir: string): Promise<Map<string, Set<number>>> {
  const db = new ClassicLevel<Buffer, string>(join(dataDir, 'buffer'), {
    keyEncoding: 'buffer',
    valueEncoding: 'utf8',
  });
  const result = new Map<string, Set<number>>(DEVICES.map((d) => [d, new Set<number>()]));
  try {
    for await (const value of db.values()) {
      const { topic, body } = decodeEntry(value);
      const device = topic.split('/')[3] as string;
      if (!topic.endsWith('/telemetry')) continue;
      result.get(device)?.add(telemetryMessageSchema.parse(JSON.parse(body)).seq);
    }
  } finally {
    await db.close();
  }
  return result;
}

describe('store-and-forward across an outage and a kill -9', () => {
  const server = new ModbusTestServer();
  const upstream = new UpstreamBroker();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gateway: GatewayProcess;
  let dataDir: string;

  beforeAll(async () => {
    dir = await tempDir();
    dataDir = join(dir.path, 'gateway');
    await Promise.all([server.start(), upstream.start()]);
    server.serve(1, encodeReading(profile, { voltage_v: 231, current_a: 2 }));
    server.serve(2, encodeReading(profile, { voltage_v: 219, current_a: 7 }));
    const httpPort = await freePort();
    const configFile = join(dir.path, 'edge.yaml');
    await writeTestConfig(configFile, upstream.url, dataDir, {
      http: { port: httpPort },
      healthIntervalS: 0.5,
      buffer: { flushIntervalMs: 50, inflightWindow: 16, replayChunk: 16 },
      modbus: {
        buses: [
          server.bus(
            DEVICES.map((id, i) => ({
              id,
              profile: profile.id,
              unitId: i + 1,
              pollIntervalS: 0.05,
            })),
          ),
        ],
      },
    });
    gateway = new GatewayProcess(configFile, httpPort);
  });

  afterAll(async () => {
    await gateway?.kill('SIGKILL');
    await Promise.all([server.stop(), upstream.stop()]);
    await dir?.remove();
  });

  it('delivers every buffered seq after the broker returns, in order per path, with nothing lost but the crash window', async () => {
    await gateway.start();
    await waitFor('live readings of both meters', () =>
      DEVICES.every((d) => (firstArrivals(upstream.messages).get(d)?.length ?? 0) >= 3),
    );
    const port = upstream.port;
    await upstream.stop();
    await waitFor('messages pile up on disk', async () => (await gateway.status()).buffer.depth >= 40);
    const deliveredBeforeKill = firstArrivals(upstream.messages);

    await gateway.kill('SIGKILL');
    const persisted = await bufferedSeqs(dataDir);
    for (const device of DEVICES) expect(persisted.get(device)?.size, device).toBeGreaterThan(10);

    await gateway.start();
    const depthAfterRestart = (await gateway.status()).buffer.depth;
    expect(depthAfterRestart).toBeGreaterThanOrEqual([...persisted.values()].reduce((n, s) => n + s.size, 0));
    await waitFor(
      'more messages pile up after the restart',
      async () => (await gateway.status()).buffer.depth >= depthAfterRestart + 20,
    );

    await upstream.start(port);
    await waitFor(
      'every message buffered before the kill arrives',
      () => {
        const arrived = firstArrivals(upstream.messages);
        return DEVICES.every((d) =>
          [...(persisted.get(d) ?? [])].every((seq) => arrived.get(d)?.includes(seq)),
        );
      },
      { timeoutMs: 20_000 },
    );
    await waitFor('the backlog drained', async () => (await gateway.status()).buffer.depth <= 16, {
      timeoutMs: 20_000,
    });
    await gateway.kill('SIGTERM');

    const leftover = await bufferedSeqs(dataDir);
    const counters = JSON.parse(await readFile(join(dataDir, 'seq.json'), 'utf8')) as {
      clean: boolean;
      counters: Record<string, number>;
    };
    expect(counters.clean).toBe(true);
    const arrivals = firstArrivals(upstream.messages);
    for (const device of DEVICES) {
      const seqs = arrivals.get(device) ?? [];
      const arrived = new Set(seqs);
      const accounted = new Set([...arrived, ...(leftover.get(device) ?? [])]);
      // Before the kill: every seq up to the last one on disk arrived.
      const lastBeforeKill = Math.max(
        ...(persisted.get(device) ?? []),
        ...(deliveredBeforeKill.get(device) ?? []),
      );
      expect(missing(arrived, 0, lastBeforeKill), device).toEqual([]);
      // The crash gap: the restarted gateway skips ahead (SEQ_CRASH_MARGIN); readings made
      // in the last group-commit window before the kill are the only ones lost.
      const firstAfterRestart = Math.min(...[...accounted].filter((seq) => seq > lastBeforeKill));
      expect(firstAfterRestart, device).toBeGreaterThan(lastBeforeKill + 1);
      // After the restart: every seq arrived or is still on disk for the next start.
      expect(missing(accounted, firstAfterRestart, counters.counters[device] as number), device).toEqual([]);
      expect(increasingRuns(seqs), device).toBeLessThanOrEqual(2);
    }
  });
});
