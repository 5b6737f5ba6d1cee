import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../runtime/index.js';
import { FaultVillage, awaitDelivery, logReport, summary, type LoadPublisher } from './support/index.js';

/**
 * kill -9 of each service under load, one after the other on one stack. After each,
 * everything the gateway published (as an admin subscriber saw it) and everything the
 * broker acknowledged to the extra publisher is in InfluxDB exactly once.
 */
describe('fault: a service is killed with SIGKILL under load', () => {
  const village = new FaultVillage({ name: 'faults-crash', pollIntervalS: 1 });
  let load: LoadPublisher;
  let gatewayCrashes = 0;
  const expectation = () => ({ ledger: village.ledger, load, gatewayCrashes });

  beforeAll(async () => {
    await village.start();
    load = await village.startLoad(150);
    await sleep(3000);
  }, 180_000);

  afterAll(async () => {
    await village.stop();
  }, 60_000);

  it('ingest: what it held unwritten is redelivered, nothing lost or doubled', async () => {
    const ingest = village.stack.service('ingest');
    await ingest.stop('SIGKILL');
    await sleep(3000); // the broker queues for ingest's persistent session meanwhile
    await ingest.start();
    await sleep(3000);
    const report = await awaitDelivery(village.stack, expectation());
    logReport('ingest kill -9', report);
    expect(report.sent).toBeGreaterThan(1000);
    expect(report.missing, summary(report)).toEqual([]);
    expect(report.duplicated, summary(report)).toEqual([]);
    expect(report.gaps, summary(report)).toEqual([]);
  }, 120_000);

  it('broker: every seq it acknowledged before a kill -9 is stored; the gateway replays what was not acked', async () => {
    // InfluxDB down first, so ingest holds a few seconds of messages unwritten and unacknowledged
    // when the broker dies with every session: those exist nowhere else any more.
    await village.stack.influxd!.stop();
    await sleep(3000);
    const broker = village.stack.service('broker');
    await broker.stop('SIGKILL');
    await sleep(2000); // the gateway buffers on disk
    await broker.start();
    await village.stack.influxd!.start();
    await village.edgeDrained();
    await sleep(3000);
    const report = await awaitDelivery(village.stack, expectation(), 20_000);
    logReport('broker kill -9 (InfluxDB down)', report);
    // The broker keeps sessions on disk: what it acknowledged before dying, queued for
    // ingest or held unacknowledged by it, is delivered after the restart.
    expect(report.missing, summary(report)).toEqual([]);
    expect(report.duplicated, summary(report)).toEqual([]);
    expect(report.gaps, summary(report)).toEqual([]);
  }, 120_000);

  it('edge gateway: every seq it published is stored once; only the crash skip is a gap', async () => {
    const edge = village.stack.service('edge');
    await edge.stop('SIGKILL');
    gatewayCrashes++;
    await sleep(2000);
    await edge.start();
    await village.edgeDrained();
    await sleep(3000);
    const report = await awaitDelivery(village.stack, expectation());
    logReport('edge kill -9', report);
    expect(report.missing, summary(report)).toEqual([]);
    expect(report.duplicated, summary(report)).toEqual([]);
    expect(report.gaps, summary(report)).toEqual([]);
    expect(report.crashSkips).toBeGreaterThan(0);
  }, 120_000);

  it('alerting: comes back live and ready (alert behaviour is tested elsewhere)', async () => {
    const alerting = village.stack.service('alerting');
    const before = alerting.pid;
    await alerting.stop('SIGKILL');
    await alerting.start();
    expect(alerting.pid).not.toBe(before);
    const base = `http://127.0.0.1:${village.stack.ports.alertingHttp}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await waitFor('alerting ready', async () => (await fetch(`${base}/readyz`)).status === 200);
    const report = await awaitDelivery(village.stack, expectation());
    logReport('alerting kill -9', report);
    expect(report.missing, summary(report)).toEqual([]);
  }, 120_000);
});
