/**
 * Gateway store-and-forward: how fast a backlog built during an uplink outage is
 * replayed when the uplink returns, and how many bytes one buffered reading takes on
 * disk. A gateway process polls 200 simulated Modbus TCP meters every second and
 * publishes to an upstream aedes through a TCP proxy that plays the village uplink.
 *
 *   npm run bench -- edge-replay [--quick]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, waitFor } from '../runtime/index.js';
import { TcpProxy } from '../test/support/index.js';
import { startBenchGateway, type BenchGateway } from './support/bench-gateway.js';
import { startBroker } from './support/brokers.js';
import { ModbusFarm } from './support/modbus-farm.js';
import { loadAverage } from './support/process-stats.js';
import { benchArgs, fmt, fmtInt, markdownTable, print } from './support/report.js';
import { SubscriberProcess } from './support/subscriber-process.js';
import { removeUnlessKept } from './support/bench-folder.js';

const args = benchArgs();
const OUTAGE_S = args.quick ? 20 : 90;
const BUSES = 20;
const PROFILES = ['chint-ddsu666', 'eastron-sdm120', 'chint-dtsu666', 'tuf-2000m', 'generic-pressure-rs485'];
const unitProfiles = Array.from({ length: 10 }, (_, i) => PROFILES[i % PROFILES.length] as string);

const dir = mkdtempSync(join(tmpdir(), 'village-bench-replay-'));
const farm = new ModbusFarm({ buses: BUSES, profiles: unitProfiles, dir });
const upstream = await startBroker('aedes', dir);
const subscriber = new SubscriberProcess({ url: upstream.url, filter: 'v1/#', qos: 1, dir });
const loadBefore = loadAverage();
let gateway: BenchGateway | undefined;
let uplink: TcpProxy | undefined;

interface Status {
  buffer: { depth: number; bytes: number; dropped: number };
}

try {
  await farm.start();
  await subscriber.start();
  uplink = new TcpProxy(await freePort(), Number(new URL(upstream.url).port));
  await uplink.start();
  gateway = await startBenchGateway({
    at: join(dir, 'edge'),
    upstream: { url: `mqtt://127.0.0.1:${uplink.listenPort}`, clientId: 'gw-bench', reconnectMs: 500 },
    farm,
  });
  const { httpPort, dataDir } = gateway;
  const status = async (): Promise<Status> =>
    (await (await fetch(`http://127.0.0.1:${httpPort}/api/status`)).json()) as Status;
  await sleep(5000);

  uplink.cut();
  await sleep(OUTAGE_S * 1000);
  const backlog = await status();
  const bufferDirBytes = Number(
    execFileSync('du', ['-sb', join(dataDir, 'buffer')])
      .toString()
      .split('\t')[0],
  );
  const receivedBefore = subscriber.received;
  const restoredAt = performance.now();
  uplink.restore();
  await waitFor('backlog drained', async () => (await status()).buffer.depth === 0, {
    timeoutMs: 600_000,
    intervalMs: 100,
  });
  const drainS = (performance.now() - restoredAt) / 1000;
  await sleep(500);
  const delivered = subscriber.received - receivedBefore;

  print(`## Gateway backlog replay (${new Date().toISOString()}, load average before ${loadBefore})`);
  print();
  print(
    markdownTable(
      [
        'outage',
        'meters',
        'backlog (messages)',
        'drain time',
        'delivered during drain',
        'replay rate',
        'disk, LevelDB folder',
        'disk per buffered message',
        'counted against maxBytes per message',
      ],
      [
        [
          `${OUTAGE_S} s`,
          String(BUSES * unitProfiles.length),
          fmtInt(backlog.buffer.depth),
          `${fmt(drainS)} s`,
          fmtInt(delivered),
          `${fmtInt(delivered / drainS)} msg/s`,
          `${fmtInt(bufferDirBytes)} B`,
          `${fmt(bufferDirBytes / Math.max(1, backlog.buffer.depth), 1)} B`,
          `${fmt(backlog.buffer.bytes / Math.max(1, backlog.buffer.depth), 1)} B`,
        ],
      ],
    ),
  );
  print();
  print(
    'Live polling continues during the drain (200 messages/s), so the replay rate includes it. The upstream is on loopback; on a 4G uplink the round trip bounds it (in-flight window / RTT).',
  );
} finally {
  await gateway?.child.stop();
  await uplink?.stop();
  await subscriber.stop();
  await farm.stop();
  await upstream.stop();
  removeUnlessKept(dir);
}
