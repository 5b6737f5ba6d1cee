import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FaultVillage,
  LOAD_SEQ_BASE,
  RssSampler,
  storedCounts,
  type LoadDevice,
  type LoadPublisher,
  type RssSample,
} from './support/index.js';
import { createLogger, waitFor } from '../../runtime/index.js';

const RATE = 2000;
const RUN_MS = 45_000;
const WARMUP_S = 10;
const MAX_GROWTH_BYTES = 100 * 1024 * 1024;

const log = createLogger('faults');
function logRss(samples: readonly RssSample[], growth: Record<string, number>): void {
  const mb = (n: number | undefined) => Math.round(((n ?? 0) / 1048576) * 10) / 10;
  log.info(
    {
      samplesMb: samples.map((s) => `${s.atS}s broker ${mb(s.bytes.broker)} ingest ${mb(s.bytes.ingest)}`),
      growthMb: { broker: mb(growth.broker), ingest: mb(growth.ingest) },
    },
    'memory under load',
  );
}

/**
 * Memory stays bounded at 2000 messages/s through broker → ingest → influxd: RSS growth
 * of broker and ingest after a warm-up stays under 100 MB (a bound, not a timing). The
 * long run is `npx tsx bench/soak.ts`.
 */
describe('fault: sustained load, memory bounded', () => {
  const village = new FaultVillage({ name: 'faults-memory', pollIntervalS: 5 });
  let load: LoadPublisher;
  let devices: LoadDevice[];

  beforeAll(async () => {
    await village.start();
    devices = await village.loadDevices();
    // Only broker → ingest → influxd carry this load.
    for (const name of ['edge', 'simulator', 'alerting'] as const) await village.stack.service(name).stop();
    await village.forgetSession('alerting', 'alerting', village.stack.secrets.alertingPassword);
  }, 180_000);

  afterAll(async () => {
    await village.stop();
  }, 60_000);

  it(
    `keeps broker and ingest RSS growth under 100 MB at ${RATE} msg/s`,
    async () => {
      const { stack } = village;
      const sampler = new RssSampler(
        () => ({ broker: stack.service('broker').pid, ingest: stack.service('ingest').pid }),
        5000,
      );
      load = await village.startLoad(RATE, 6, devices);
      sampler.start();
      await sleep(RUN_MS);
      load.pause();
      sampler.stop();
      const growth = sampler.growth(WARMUP_S);
      logRss(sampler.samples, growth);
      const stored = await waitFor(
        'every acknowledged load message stored',
        async () => {
          let total = 0;
          for (const measurement of ['electricity', 'water']) {
            for (const { count } of (await storedCounts(stack, measurement, LOAD_SEQ_BASE)).values())
              total += count;
          }
          return total >= load.ackedCount ? total : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 1000 },
      );
      expect(load.ackedCount).toBeGreaterThan((RATE * RUN_MS) / 1000 / 2);
      expect(stored).toBe(load.ackedCount);
      expect(growth.broker).toBeLessThan(MAX_GROWTH_BYTES);
      expect(growth.ingest).toBeLessThan(MAX_GROWTH_BYTES);
    },
    RUN_MS + 150_000,
  );
});
