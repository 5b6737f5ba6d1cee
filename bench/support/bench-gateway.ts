import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { EDGE_PROCESS_ENV } from '../../edge/index.js';
import { freePort, siblingEntryCommand, waitFor } from '../../runtime/index.js';
import { Child } from './child-process.js';

export interface BenchGatewayOptions {
  /** Where the YAML goes. */
  file: string;
  upstream: { url: string; clientId: string; reconnectMs?: number };
  httpPort: number;
  dataDir: string;
  /** One Modbus TCP bus per port, each with one meter per entry of `unitProfiles` (unit ids 1…n). */
  busPorts: readonly number[];
  unitProfiles: readonly string[];
  /** How the gateway publishes; one message per reading unless given. */
  publish?: { mode: 'per-device' | 'batch' };
}

/**
 * The gateway config the edge benchmarks run: site `bench`, LAN broker off, every
 * meter polled every second, and one message per reading (`per-device`), which is
 * what their recorded numbers measure; the default, batch, sends far fewer messages.
 */
export function writeBenchGatewayConfig(options: BenchGatewayOptions): void {
  const config = {
    site: 'bench',
    gateway: 'gw-bench',
    upstream: options.upstream,
    lan: { enabled: false },
    http: { port: options.httpPort },
    dataDir: options.dataDir,
    logLevel: 'warn',
    publish: options.publish ?? { mode: 'per-device' },
    modbus: {
      buses: options.busPorts.map((port, b) => ({
        id: `bus-${b}`,
        transport: 'tcp',
        host: '127.0.0.1',
        port,
        devices: options.unitProfiles.map((profile, i) => ({
          id: `meter-${b}-${i + 1}`,
          profile,
          unitId: i + 1,
          pollIntervalS: 1,
        })),
      })),
    },
  };
  writeFileSync(options.file, stringify(config));
}

/** Where a benchmark's gateway runs, what it polls and where it publishes. */
export interface BenchGatewayPlace {
  /** Its files: `<at>.yaml` (the config), `<at>-data` (its data folder), `<at>.log`. */
  at: string;
  upstream: BenchGatewayOptions['upstream'];
  /** It polls the farm's first `buses` buses (all unless given), one meter per profile on each. */
  farm: { ports: readonly number[]; profiles: readonly string[] };
  buses?: number;
  publish?: BenchGatewayOptions['publish'];
}

/** How a benchmark's gateway process starts. */
export interface BenchGatewayStart {
  /** A daemon bundle (`deploy/daemon-bundle.ts`); edge/main.ts otherwise: the build's bundle under `npm run bench`, the sources through tsx under `npx tsx`. */
  bundle?: string;
  /** The node binary; this one's unless given. */
  node?: string;
  /** node flags before the entry. */
  nodeFlags?: readonly string[];
  /** Environment over the gateway's own (EDGE_PROCESS_ENV, as the systemd unit, compose and the stack start it). */
  env?: Record<string, string>;
  /** What to wait for before returning: its readiness (the default), its HTTP server only, or nothing (then `untilGatewayAnswers`). */
  waitFor?: '/readyz' | '/healthz' | 'nothing';
}

/** A started gateway (ours or the naive one) and its files. */
export interface BenchGateway {
  child: Child;
  httpPort: number;
  dataDir: string;
  logFile: string;
}

/** The files of a gateway at `at`: its config (`.yaml`, or another `extension`), data folder and log. */
export function benchGatewayFiles(
  at: string,
  extension = 'yaml',
): { file: string; dataDir: string; logFile: string } {
  return { file: `${at}.${extension}`, dataDir: `${at}-data`, logFile: `${at}.log` };
}

/** The bus ports and meters of a place, as the config writers take them. */
export function benchGatewayMeters(place: BenchGatewayPlace): {
  busPorts: readonly number[];
  unitProfiles: readonly string[];
} {
  return { busPorts: place.farm.ports.slice(0, place.buses), unitProfiles: place.farm.profiles };
}

/**
 * Starts our gateway on a free HTTP port with the bench config (`writeBenchGatewayConfig`)
 * and waits as `start.waitFor` says; a gateway that does not get there is stopped.
 */
export async function startBenchGateway(
  place: BenchGatewayPlace,
  start: BenchGatewayStart = {},
): Promise<BenchGateway> {
  const { file, dataDir, logFile } = benchGatewayFiles(place.at);
  const httpPort = await freePort();
  const { upstream, publish } = place;
  writeBenchGatewayConfig({ file, upstream, httpPort, dataDir, ...benchGatewayMeters(place), publish });
  const entry = start.bundle === undefined ? siblingEntryCommand('edge/main.ts') : [start.bundle];
  const child = Child.spawn(
    start.node ?? process.execPath,
    [...(start.nodeFlags ?? []), ...entry, '--config', file],
    { logFile, env: { ...EDGE_PROCESS_ENV, ...start.env } },
  );
  const gateway = { child, httpPort, dataDir, logFile };
  const waitFor = start.waitFor ?? '/readyz';
  if (waitFor !== 'nothing') await untilGatewayAnswers(gateway, waitFor);
  return gateway;
}

/**
 * Resolves once the gateway answers `path` with 2xx (asked every 200 ms, 60 s at most);
 * stops it and throws if it does not, or if it exits first.
 */
export async function untilGatewayAnswers(
  gateway: Pick<BenchGateway, 'child' | 'httpPort'>,
  path: '/readyz' | '/healthz' = '/readyz',
): Promise<void> {
  try {
    const answer = await waitFor(
      `gateway ${path}`,
      async () =>
        gateway.child.exited ? 'exited' : (await fetch(`http://127.0.0.1:${gateway.httpPort}${path}`)).ok,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    if (answer === 'exited')
      throw new Error(`gateway ${gateway.child.pid} exited before answering ${path}; see its log`);
  } catch (error) {
    await gateway.child.stop();
    throw error;
  }
}
