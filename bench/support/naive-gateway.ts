import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleDaemon } from '../../deploy/index.js';
import { getModbusProfile, planReads } from '../../devices/index.js';
import { EDGE_PROCESS_ENV } from '../../edge/index.js';
import { freePort, projectFile } from '../../runtime/index.js';
import {
  benchGatewayFiles,
  benchGatewayMeters,
  untilGatewayAnswers,
  type BenchGateway,
  type BenchGatewayPlace,
} from './bench-gateway.js';
import { Child } from './child-process.js';
import { blockFields, DECODE } from './node-red-flows.js';

/** What naive-gateway-main.ts polls and where it sends it. */
export interface NaiveGatewayConfig {
  upstream: { url: string; clientId: string };
  httpPort: number;
  dataDir: string;
  batchTopic: string;
  /** The body of a function of `msg`, FIELDS and TOPIC that decodes a block (the Node-RED flows'). */
  decode: string;
  buses: Array<{
    port: number;
    units: Array<{
      unitId: number;
      topic: string;
      blocks: Array<{ table: 'holding' | 'input'; start: number; count: number; fields: unknown[] }>;
    }>;
  }>;
}

/** A naive gateway for these buses: one meter per entry of `unitProfiles` on each (unit ids 1…n). */
interface NaiveGatewayOptions {
  /** Where its config (JSON) is written. */
  file: string;
  upstream: { url: string; clientId: string };
  httpPort: number;
  dataDir: string;
  busPorts: readonly number[];
  unitProfiles: readonly string[];
}

/**
 * Starts the bundled naive gateway (`bundleNaiveGateway`) at `place` as our gateway would
 * start there (`startBenchGateway`: a free port, the gateway's process environment, its
 * files `<at>.json`, `<at>-data`, `<at>.log`), its config first (the blocks our read
 * planner reads), and waits until it is ready. It publishes batches whatever `place.publish` says.
 */
export async function startNaiveGateway(bundle: string, place: BenchGatewayPlace): Promise<BenchGateway> {
  const { file, dataDir, logFile } = benchGatewayFiles(place.at, 'json');
  const httpPort = await freePort();
  writeNaiveGatewayConfig({
    file,
    upstream: place.upstream,
    httpPort,
    dataDir,
    ...benchGatewayMeters(place),
  });
  const child = Child.spawn(process.execPath, [bundle, '--config', file], {
    logFile,
    env: { ...EDGE_PROCESS_ENV },
  });
  const gateway = { child, httpPort, dataDir, logFile };
  await untilGatewayAnswers(gateway);
  return gateway;
}

/** Meter polls so far in which the naive gateway on `httpPort` read every block (its /readyz says). */
export async function naivePollsRead(httpPort: number): Promise<number> {
  const answer = (await (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).json()) as { pollsRead: number };
  return answer.pollsRead;
}

function writeNaiveGatewayConfig(options: NaiveGatewayOptions): void {
  const site = 'bench';
  const gateway = 'gw-naive';
  const config: NaiveGatewayConfig = {
    upstream: options.upstream,
    httpPort: options.httpPort,
    dataDir: options.dataDir,
    batchTopic: `v1/${site}/${gateway}/batch`,
    decode: DECODE,
    buses: options.busPorts.map((port, b) => ({
      port,
      units: options.unitProfiles.map((profileId, u) => {
        const profile = getModbusProfile(profileId);
        return {
          unitId: u + 1,
          topic: `v1/${site}/${gateway}/meter-${b}-${u + 1}/telemetry`,
          blocks: planReads(profile).map((block) => ({
            table: block.table,
            start: block.start,
            count: block.count,
            fields: blockFields(profile, block),
          })),
        };
      }),
    })),
  };
  writeFileSync(options.file, JSON.stringify(config));
}

/** naive-gateway-main.ts bundled as the build bundles the gateway, in `dir` (inside the repository). */
export async function bundleNaiveGateway(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'naive-gateway.mjs');
  await bundleDaemon(projectFile('bench/support/naive-gateway-main.ts'), outfile);
  return outfile;
}
