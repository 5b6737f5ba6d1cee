import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../runtime/index.js';
import { rowsOf, ServiceProcess } from '../../stack/index.js';
import { FaultVillage, awaitDelivery, logReport, summary, type LoadPublisher } from './support/index.js';

/** Points InfluxDB accepted from this ingest worker so far (all measurements). */
async function pointsWritten(httpPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  return [...text.matchAll(/^ingest_points_written_total\{[^}]*\} (\d+)$/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
}

/** Waits until a counter reads the same twice, a second apart: nothing more is in flight. */
async function settled(read: () => Promise<number>): Promise<number> {
  let last = -1;
  return waitFor(
    'the counter to settle',
    async () => {
      const now = await read();
      const same = now === last;
      last = now;
      return same ? now : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 1000 },
  );
}

/**
 * The whole pipeline with Debian's mosquitto 2 as the central broker instead of ours:
 * gateway, ingest and alerting log in with the credentials `broker/cli.ts export
 * --mosquitto` gave it, and ingest speaks MQTT 5 (acknowledgements through mqtt.js'
 * customHandleAcks once written, a shared subscription). Under load ingest is killed and
 * restarted, then restarted cleanly: everything acknowledged is in InfluxDB exactly once.
 * Then a second worker joins the shared subscription: the two never write a point twice.
 */
describe('fault: the pipeline on mosquitto 2 with ingest on MQTT 5', () => {
  const village = new FaultVillage({
    name: 'faults-mosquitto',
    pollIntervalS: 1,
    broker: 'mosquitto',
    env: { ingest: { INGEST_MQTT_PROTOCOL_VERSION: '5' } },
  });
  let load: LoadPublisher;
  const expectation = () => ({ ledger: village.ledger, load, gatewayCrashes: 0 });

  /** A second ingest worker in the same share group: its own client id and HTTP port. */
  async function secondWorker(): Promise<{ second: ServiceProcess; secondPort: number }> {
    const stack = village.stack;
    const first = stack.service('ingest');
    const secondPort = await freePort();
    const second = new ServiceProcess({
      ...first.options,
      name: 'ingest-2',
      logFile: join(stack.dataDir, 'logs', 'ingest-2.log'),
      readyUrl: `http://127.0.0.1:${secondPort}/readyz`,
      env: { ...first.options.env, INGEST_MQTT_CLIENT_ID: 'ingest-b', INGEST_HTTP_PORT: String(secondPort) },
    });
    return { second, secondPort };
  }

  /**
   * A load of its own, `hoursAgo` back so that nothing else lands in its ten minutes, until
   * `count` messages are acknowledged (a count, not a time: on a loaded machine 5 s of load once
   * acknowledged only 428), then stopped; `stored` counts its points in InfluxDB.
   */
  async function loadHoursBack(perS: number, hoursAgo: number, count: number) {
    const stack = village.stack;
    const startedAt = Date.now();
    const extra = await village.startLoad(perS, hoursAgo);
    await waitFor(`${count} messages acknowledged`, () => extra.ackedCount >= count, {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    await extra.stop();
    const from = startedAt - hoursAgo * 3_600_000 - 60_000;
    const stored = async () =>
      rowsOf(
        await stack.influxd!.query(
          stack.database,
          `SELECT count(seq) AS n FROM electricity, water WHERE time >= ${from}ms AND time <= ${from + 600_000}ms`,
        ),
      ).reduce((sum, row) => sum + Number(row.n ?? 0), 0);
    return { published: extra.ackedCount, stored };
  }

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
    await sleep(3000); // mosquitto queues for ingest's persistent sessions meanwhile
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

  it('ingest restarted with fewer connections: the sessions above the count are drained and ended, nothing lost', async () => {
    const stack = village.stack;
    const ingest = stack.service('ingest');
    await ingest.stop();
    // The sessions ingest-1-8 … ingest-1-31 stay behind, and mosquitto keeps dealing them a share.
    const fewer = new ServiceProcess({
      ...ingest.options,
      name: 'ingest-fewer',
      logFile: join(stack.dataDir, 'logs', 'ingest-fewer.log'),
      env: { ...ingest.options.env, INGEST_MQTT_CONNECTIONS: '8' },
    });
    await fewer.start();
    try {
      await sleep(6000);
      const report = await awaitDelivery(stack, expectation());
      logReport('ingest restarted with 8 connections instead of 32', report);
      expect(report.missing, summary(report)).toEqual([]);
      expect(report.duplicated, summary(report)).toEqual([]);
    } finally {
      await fewer.stop();
      await ingest.start();
    }
  }, 180_000);

  it('one of two workers killed under load: its share waits in its sessions, nothing lost or doubled', async () => {
    const { second } = await secondWorker();
    await second.start();
    try {
      await sleep(3000);
      await second.stop('SIGKILL');
      await sleep(3000); // mosquitto keeps dealing the absent worker its share, queued in its sessions
      await second.start();
      await sleep(3000);
      const report = await awaitDelivery(village.stack, expectation());
      logReport('one of two shared workers kill -9 on mosquitto', report);
      expect(report.sent).toBeGreaterThan(300);
      expect(report.missing, summary(report)).toEqual([]);
      expect(report.duplicated, summary(report)).toEqual([]);
      expect(report.gaps, summary(report)).toEqual([]);
    } finally {
      await second.stop();
    }
  }, 180_000);

  it('two workers on one shared subscription share the messages and never write a point twice', async () => {
    const stack = village.stack;
    const { second, secondPort } = await secondWorker();
    await second.start();
    try {
      // Only the next load reaches ingest from here: the gateway and the first load stop.
      await load.stop();
      await stack.service('edge').stop();
      const firstPort = stack.ports.ingestHttp;
      const before = [
        await settled(() => pointsWritten(firstPort)),
        await settled(() => pointsWritten(secondPort)),
      ];

      const { published, stored } = await loadHoursBack(200, 6, 600);
      await waitFor('every shared-load point stored', async () => (await stored()) >= published, {
        timeoutMs: 60_000,
        intervalMs: 500,
      });
      const after = [
        await settled(() => pointsWritten(firstPort)),
        await settled(() => pointsWritten(secondPort)),
      ];
      const written = after.map((count, i) => count - (before[i] as number));
      expect(published).toBeGreaterThan(500);
      expect(await stored()).toBe(published);
      // Each message (one point) went to one worker: together they wrote each point once.
      expect(written[0]! + written[1]!).toBe(published);
      expect(
        written.every((count) => count > 0),
        `points written per worker: ${written.join(', ')}`,
      ).toBe(true);
    } finally {
      await second.stop();
      await stack.service('edge').start();
    }
  }, 180_000);

  // Last: mosquitto 2.0.11 (Debian 12) keeps ingest's sessions across a restart but not their
  // shared subscriptions (fixed in 2.0.12), so what is published before ingest has subscribed
  // again goes to no one; that gap would count against the tests above. See docs/scaling.md.
  it('mosquitto restarted: ingest subscribes again and stores everything published once it has', async () => {
    const stack = village.stack;
    const mosquitto = stack.mosquitto!;
    const ingestPort = stack.ports.ingestHttp;
    await load.stop();
    await mosquitto.stop();
    await sleep(2000); // ingest writes what it held meanwhile
    const written = await pointsWritten(ingestPort);
    await mosquitto.start();

    // A probe load, hours back, until ingest writes again: its subscriptions are back.
    const probe = await village.startLoad(50, 12);
    await waitFor('ingest writing again', async () => (await pointsWritten(ingestPort)) > written, {
      timeoutMs: 30_000,
      intervalMs: 500,
    });
    await probe.stop();

    const { published, stored } = await loadHoursBack(150, 9, 500);
    await waitFor('every message after the restart stored', async () => (await stored()) >= published, {
      timeoutMs: 60_000,
      intervalMs: 500,
    }).catch(() => undefined);
    expect(await stored()).toBe(published);
    const crashed = [...stack.services].filter(([, service]) => service.crashes > 0).map(([name]) => name);
    expect(crashed).toEqual([]);
  }, 180_000);
});
