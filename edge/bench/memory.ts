/**
 * Memory benchmark (a script, not a test): a gateway process polling 100 simulated
 * Modbus TCP meters (10 converters × 10 meters, every 2 s) for ~60 s, publishing to a
 * local broker. Prints the gateway's RSS every 5 s and the peak.
 *
 *   node --import tsx edge/bench/memory.ts [seconds]
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { encodeReading, getModbusProfile } from '../../devices/index.js';
import { freePort, waitFor } from '../../stack/index.js';
import { ModbusTestServer } from '../test/support/modbus-test-server.js';
import { UpstreamBroker } from '../test/support/upstream-broker.js';
import { tempDir } from '../test/support/gateway-harness.js';
import { PROJECT_ROOT } from '../../runtime/index.js';
import { EDGE_PROCESS_ENV } from '../process-env.js';

const seconds = Number(process.argv[2] ?? 60);
const profile = getModbusProfile('chint-dtsu666');
const out = (line: string) => process.stdout.write(`${line}\n`);

const dir = await tempDir();
const upstream = new UpstreamBroker();
await upstream.start();
const converters = Array.from({ length: 10 }, () => new ModbusTestServer());
for (const server of converters) {
  await server.start();
  for (let unit = 1; unit <= 10; unit++) {
    server.serve(
      unit,
      encodeReading(profile, { voltage_v: 230 + unit, current_a: unit, active_power_w: 100 * unit }),
    );
  }
}
const httpPort = await freePort();
const configFile = join(dir.path, 'edge.yaml');
await writeFile(
  configFile,
  stringify({
    site: 'bench',
    gateway: 'gw-bench',
    upstream: { url: upstream.url },
    lan: { enabled: false },
    http: { port: httpPort },
    dataDir: join(dir.path, 'data'),
    healthIntervalS: 10,
    modbus: {
      buses: converters.map((server, b) => ({
        id: `bus-${b}`,
        transport: 'tcp',
        host: '127.0.0.1',
        port: server.port,
        devices: Array.from({ length: 10 }, (_, i) => ({
          id: `meter-${b}-${i + 1}`,
          profile: profile.id,
          unitId: i + 1,
          pollIntervalS: 2,
        })),
      })),
    },
  }),
);
const child = spawn(process.execPath, ['--import', 'tsx', 'edge/main.ts', '--config', configFile], {
  cwd: PROJECT_ROOT,
  env: { ...process.env, ...EDGE_PROCESS_ENV, LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const metricsUrl = `http://127.0.0.1:${httpPort}/metrics`;
await waitFor('gateway metrics', async () => (await fetch(metricsUrl)).ok, { timeoutMs: 30_000 });

const rssOf = async () => {
  const text = await (await fetch(metricsUrl)).text();
  return Number(/^process_resident_memory_bytes\{[^}]*\} (\d+)/m.exec(text)?.[1] ?? 0);
};
let peak = 0;
const startedAt = Date.now();
out(`100 meters on 10 Modbus TCP buses, poll 2 s, ${seconds} s`);
while (Date.now() - startedAt < seconds * 1000) {
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const rss = await rssOf();
  peak = Math.max(peak, rss);
  // The gateway batches by default: a batch carries every meter's reading of its interval.
  const received = upstream.messages.filter((m) => /\/(telemetry|batch)$/.test(m.topic)).length;
  out(
    `t=${Math.round((Date.now() - startedAt) / 1000)}s rss=${(rss / 2 ** 20).toFixed(1)} MiB telemetry messages received=${received}`,
  );
}
out(`final rss=${((await rssOf()) / 2 ** 20).toFixed(1)} MiB, peak=${(peak / 2 ** 20).toFixed(1)} MiB`);
child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
for (const server of converters) await server.stop();
await upstream.stop();
await dir.remove();
