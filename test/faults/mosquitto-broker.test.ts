import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultVillage, awaitDelivery, logReport, summary, type LoadPublisher } from './support/index.js';

/**
 * The whole pipeline with Debian's mosquitto 2 as the central broker instead of ours:
 * gateway, ingest and alerting log in with the credentials `broker/cli.ts export
 * --mosquitto` gave it, and ingest's acknowledge-after-write holds. Under load, ingest is
 * killed and restarted, then stopped cleanly and restarted: everything the gateway and
 * the extra publisher had acknowledged is in InfluxDB exactly once.
 */
describe('fault: the pipeline on mosquitto 2, ingest killed and restarted', () => {
  const village = new FaultVillage({ name: 'faults-mosquitto', pollIntervalS: 1, broker: 'mosquitto' });
  let load: LoadPublisher;
  const expectation = () => ({ ledger: village.ledger, load, gatewayCrashes: 0 });

  beforeAll(async () => {
    await village.start();
    load = await village.startLoad(150);
    await sleep(3000);
  }, 180_000);

  afterAll(async () => {
    await village.stop();
  }, 60_000);

  it('runs on mosquitto: no broker service of ours, readings stored', async () => {
    expect(village.stack.services.has('broker')).toBe(false);
    expect(village.stack.mosquitto?.running).toBe(true);
    const report = await awaitDelivery(village.stack, expectation());
    expect(report.sent).toBeGreaterThan(100);
    expect(report.missing, summary(report)).toEqual([]);
  }, 120_000);

  it('ingest kill -9: what it held unwritten is redelivered by mosquitto, nothing lost or doubled', async () => {
    const ingest = village.stack.service('ingest');
    await ingest.stop('SIGKILL');
    await sleep(3000); // mosquitto queues for ingest's persistent session meanwhile
    await ingest.start();
    await sleep(3000);
    const report = await awaitDelivery(village.stack, expectation());
    logReport('ingest kill -9 on mosquitto', report);
    expect(report.missing, summary(report)).toEqual([]);
    expect(report.duplicated, summary(report)).toEqual([]);
    expect(report.gaps, summary(report)).toEqual([]);
  }, 120_000);

  it('ingest restarted cleanly: nothing lost or doubled', async () => {
    await village.stack.service('ingest').restart();
    await sleep(3000);
    const report = await awaitDelivery(village.stack, expectation());
    logReport('ingest restart on mosquitto', report);
    expect(report.missing, summary(report)).toEqual([]);
    expect(report.duplicated, summary(report)).toEqual([]);
  }, 120_000);
});
