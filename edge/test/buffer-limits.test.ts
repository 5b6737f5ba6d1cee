import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeReading, getModbusProfile } from '../../devices/index.js';
import { waitFor } from '../../runtime/index.js';
import type { Gateway } from '../gateway.js';
import { bufferedSeqs } from './support/buffer-contents.js';
import { ModbusTestServer } from './support/modbus-test-server.js';
import { firstArrivals, increasingRuns, missing } from './support/seq-checks.js';
import { UpstreamBroker } from './support/upstream-broker.js';
import { startGateway, tempDir, testConfig } from './support/gateway-harness.js';

const profile = getModbusProfile('eastron-sdm120');
const MAX_MESSAGES = 30;

describe('store-and-forward buffer limits', () => {
  const server = new ModbusTestServer();
  const upstream = new UpstreamBroker();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gateway: Gateway;

  beforeAll(async () => {
    dir = await tempDir();
    await Promise.all([server.start(), upstream.start()]);
    server.serve(1, encodeReading(profile, { voltage_v: 230, current_a: 1 }));
    gateway = await startGateway(
      testConfig(upstream.url, dir.path, {
        buffer: { maxMessages: MAX_MESSAGES, flushIntervalMs: 20, inflightWindow: 4, replayChunk: 4 },
        modbus: {
          buses: [server.bus([{ id: 'meter', profile: profile.id, unitId: 1, pollIntervalS: 0.03 }])],
        },
      }),
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([server.stop(), upstream.stop()]);
    await dir?.remove();
  });

  it('drops the oldest when full, counts them, and replays the rest when the uplink returns', async () => {
    await upstream.waitFor(
      'live readings',
      () => (firstArrivals(upstream.messages).get('meter')?.length ?? 0) >= 3,
    );
    const port = upstream.port;
    await upstream.stop();
    await waitFor('messages dropped', () => gateway.bufferStats().dropped >= 20, { timeoutMs: 15_000 });
    expect(gateway.bufferStats().depth).toBeLessThanOrEqual(MAX_MESSAGES + 4);

    const base = `http://127.0.0.1:${gateway.httpPort}`;
    const status = (await (await fetch(`${base}/api/status`)).json()) as {
      upstream: { connected: boolean };
      buffer: { dropped: number };
    };
    expect(status.upstream.connected).toBe(false);
    expect(status.buffer.dropped).toBeGreaterThanOrEqual(20);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(
      /edge_buffer_dropped_total\{reason="buffer_full"[^}]*\} (\d{2,})/,
    );

    // Drops go on while the backlog replays (the buffer is still over its limit), so the
    // drops made during the outage are told apart from those made after the uplink returned.
    const droppedDuringOutage = gateway.bufferStats().dropped;
    await upstream.start(port);
    const persistedAtReturn = (await persistedSeq(dir.path)) ?? 0;
    await upstream.waitFor(
      'the backlog replayed',
      () =>
        (firstArrivals(upstream.messages).get('meter') ?? []).includes(persistedAtReturn) &&
        gateway.bufferStats().depth <= 4,
      15_000,
    );
    await gateway.stop();
    // After a clean stop the seq file holds the exact last seq.
    const last = (await persistedSeq(dir.path)) as number;
    const arrivals = firstArrivals(upstream.messages).get('meter') ?? [];
    const gone = missing(new Set(arrivals), 0, last);
    const { dropped, depth } = gateway.bufferStats();
    // Everything not dropped arrived, except what was still buffered at stop (depth also
    // counts health messages and entries delivered whose delete had not run yet).
    expect(gone.length).toBeLessThanOrEqual(dropped + depth);
    // Drop-oldest: the outage's drops are one run of seqs starting at the oldest one gone
    // (one of them may still have arrived: the MQTT client can resend a message that was in
    // flight when the link died, after the buffer dropped its copy). Drops made during the
    // replay take the oldest entries not in flight, which may lie anywhere behind that run;
    // there are no more of them than were counted.
    const kept = (await bufferedSeqs(dir.path)).get('meter') ?? new Set<number>();
    const droppedSeqs = gone.filter((seq) => !kept.has(seq));
    expect(droppedSeqs.length).toBeGreaterThan(0);
    expect(droppedSeqs.length).toBeLessThanOrEqual(dropped);
    const outageRunEnd = droppedSeqs[0]! + droppedDuringOutage - 1;
    const droppedAfterReturn = droppedSeqs.filter((seq) => seq > outageRunEnd);
    expect(droppedAfterReturn.length).toBeLessThanOrEqual(dropped - droppedDuringOutage);
    expect(increasingRuns(arrivals)).toBeLessThanOrEqual(2);
  });
});

/** The meter's seq as last persisted by the gateway (exact after a clean stop). */
async function persistedSeq(dataDir: string): Promise<number | undefined> {
  const file = JSON.parse(await readFile(join(dataDir, 'seq.json'), 'utf8')) as {
    counters: Record<string, number>;
  };
  return file.counters.meter;
}
