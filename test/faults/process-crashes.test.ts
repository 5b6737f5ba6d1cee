import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../stack/index.js';
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
  let lostAtBrokerKill = 0;
  const excused = new Map<string, Set<number>>();
  const expectation = () => ({ ledger: village.ledger, load, gatewayCrashes, excused });

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

  it('broker: ingest writes what it held when the broker died; the gateway replays what was not acked', async () => {
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
    lostAtBrokerKill = report.missing.reduce((n, m) => n + m.seqs.length, 0);
    for (const { device, seqs } of report.missing) excused.set(device, new Set(seqs));
    expect(report.duplicated, summary(report)).toEqual([]);
    expect(report.gaps, summary(report)).toEqual([]);
    // What the broker acknowledged but had not yet handed to ingest dies with it (aedes keeps
    // sessions in memory; see the skipped test below). It is at most a moment of traffic.
    expect(lostAtBrokerKill, summary(report)).toBeLessThan(500);
  }, 120_000);

  // HOLE (broker, reported): aedes keeps sessions in memory. A kill -9 loses what it had
  // acknowledged and not yet handed to ingest, and after the restart whatever the gateway (or any
  // publisher) sends before ingest has subscribed again is acknowledged with no ingest subscriber.
  // Observed 0–112 messages per kill here (uplink-flap.test.ts: 840–1231 over 10 restarts).
  // Fix: durable (or pre-created) consumer sessions in the broker.
  it.skip('broker: every seq the broker acknowledged before a kill -9 is stored', () => {
    expect(lostAtBrokerKill).toBe(0);
  });

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
