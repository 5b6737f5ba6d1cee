import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../stack/index.js';
import { FaultVillage, awaitDelivery, logReport, summary, type LoadPublisher } from './support/index.js';

const FLAP_FOR_MS = 60_000;
const HALF_PERIOD_MS = 2_500;

/**
 * The uplink flaps: the broker goes away every ~5 s for a minute, alternately shut down
 * (SIGTERM) and killed (SIGKILL), and comes back 2.5 s later. The gateway's disk buffer
 * and ingest's persistent session carry everything across.
 */
describe('fault: uplink flapping for a minute', () => {
  const village = new FaultVillage({ name: 'faults-flap', pollIntervalS: 1 });
  let load: LoadPublisher;

  beforeAll(async () => {
    await village.start();
    load = await village.startLoad(100);
    await sleep(2000);
  }, 180_000);

  afterAll(async () => {
    await village.stop();
  }, 60_000);

  it('survives a minute of flapping: nothing doubled, losses bounded to the restart race', async () => {
    const broker = village.stack.service('broker');
    const end = Date.now() + FLAP_FOR_MS;
    let cycles = 0;
    while (Date.now() < end) {
      await broker.stop(cycles % 2 === 0 ? 'SIGTERM' : 'SIGKILL');
      cycles++;
      await sleep(HALF_PERIOD_MS);
      await broker.start();
      await sleep(HALF_PERIOD_MS);
    }
    // Not edgeDrained(): after flapping the gateway may keep a few entries it never sends
    // (see edge-buffer-full.test.ts, skipped test); the seq check below shows what arrived.
    await waitFor(
      'the gateway connected and its backlog replayed',
      async () => {
        const status = await village.edgeStatus();
        return status.upstream.connected && !status.buffer.replaying;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await sleep(5000);
    const depth = (await village.edgeStatus()).buffer.depth;
    const report = await awaitDelivery(village.stack, { ledger: village.ledger, load }, 30_000);
    const lost = report.missing.reduce((n, m) => n + m.seqs.length, 0);
    logReport('uplink flapping', report, { cycles, lost, edgeDepthAfter: depth });
    expect(cycles).toBeGreaterThanOrEqual(8);
    expect(report.duplicated, summary(report)).toEqual([]);
    // Each broker restart loses what the gateway publishes before ingest has subscribed again
    // (observed 840–1231 over 10 cycles; see the skipped test below): bounded, and reported.
    expect(lost, summary(report)).toBeLessThan(cycles * 200);
  }, 240_000);

  // HOLE (broker, reported): aedes keeps sessions in memory, so after a restart ingest's
  // subscription exists only once ingest has reconnected and subscribed again. The gateway
  // often reconnects first and replays its backlog at once; the broker acknowledges those
  // messages with no subscriber but the admin ledger, and they are gone. Enable once the
  // broker keeps (or pre-creates) consumer sessions durably.
  it.skip('no seq the broker acknowledged is lost across the flaps', () => {});
});
