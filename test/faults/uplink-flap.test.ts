import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultVillage, awaitDelivery, logReport, summary, type LoadPublisher } from './support/index.js';

/** About a minute of flapping; counted, not timed, so a slow box flaps as often as a fast one. */
const CYCLES = 10;
const HALF_PERIOD_MS = 2_500;

/**
 * The uplink flaps: the broker goes away every ~5 s, ten times, alternately shut down
 * (SIGTERM) and killed (SIGKILL), and comes back 2.5 s later. The gateway's disk buffer
 * and ingest's persistent session carry everything across.
 */
describe('fault: uplink flapping', () => {
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

  it('survives ten flaps of the uplink: nothing lost, nothing doubled', async () => {
    const broker = village.stack.service('broker');
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await broker.stop(cycle % 2 === 0 ? 'SIGTERM' : 'SIGKILL');
      await sleep(HALF_PERIOD_MS);
      await broker.start();
      await sleep(HALF_PERIOD_MS);
    }
    await village.edgeDrained();
    const report = await awaitDelivery(village.stack, { ledger: village.ledger, load }, 30_000);
    logReport('uplink flapping', report, { cycles: CYCLES });
    // The broker keeps ingest's session on disk: what the gateway replays before ingest has
    // reconnected is queued for it, not acknowledged into the void.
    expect(report.missing, summary(report)).toEqual([]);
    expect(report.duplicated, summary(report)).toEqual([]);
    // Every other service rode the flaps out in the process it started in: alerting's
    // deliveries are not in the report, so only its exit would say it did not.
    const crashed = [...village.stack.services]
      .filter(([, service]) => service.crashes > 0)
      .map(([name]) => name);
    expect(crashed).toEqual([]);
  }, 240_000);
});
