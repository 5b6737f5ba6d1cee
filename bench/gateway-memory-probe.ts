/**
 * Where the gateway's memory above its floor is: the gateway as shipped at 100 Modbus
 * meters a second and the bundled floor (gateway-memory's), side by side, their
 * /proc/PID/smaps grouped by kind of mapping every few seconds, the gateway's V8 heap
 * spaces from its /metrics, and at the end a heap snapshot of each (--heapsnapshot-signal)
 * grouped by constructor.
 *
 *   npm run bench -- gateway-memory-probe [--quick]
 *   BENCH_GATEWAY_FLAGS='--flag …'  node flags for the gateway (after EDGE_PROCESS_ENV's)
 *   BENCH_PROBE_PER_FILE=1  the daemon as one module per file (readable names in profiles)
 *   BENCH_PROBE_PROMOTED=1  a sampling heap profile, in the gateway's process, of what is
 *     allocated after the warm-up and either still alive or collected by a full collection
 *     (not by a scavenge): what the work promotes to the old generation; with
 *     PROBE_ALL_ALLOCATION=1 everything allocated.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { importedPackages } from '../deploy/index.js';
import { EDGE_PROCESS_ENV } from '../edge/index.js';
import { build } from 'esbuild';
import { CODE_ROOT, projectFile, waitFor } from '../runtime/index.js';
import { startBenchGateway, untilGatewayAnswers } from './support/bench-gateway.js';
import { bundleFloor } from './support/gateway-floor.js';
import { startBroker } from './support/brokers.js';
import { Child } from './support/child-process.js';
import { ModbusFarm } from './support/modbus-farm.js';
import {
  cpuSeconds,
  loadAverage,
  readSmaps,
  readSmapsRollup,
  type SmapsMapping,
} from './support/process-stats.js';
import { benchArgs, print } from './support/report.js';
import { removeUnlessKept } from './support/bench-folder.js';

const args = benchArgs();
const durationS = args.quick ? 60 : 180;
const MIX = ['chint-dtsu666', 'eastron-sdm120', 'chint-ddsu666', 'tuf-2000m', 'generic-pressure-rs485'];
const unitProfiles = Array.from({ length: 10 }, (_, i) => MIX[i % MIX.length] as string);
const dir = mkdtempSync(join(tmpdir(), 'village-bench-gateway-probe-'));
const bundleDir = projectFile('data/gateway-probe-bundle');

const KIB = 1024;

/** What a mapping of the gateway's smaps is, roughly. */
function kindOf({ start, perms, name, size }: SmapsMapping): string {
  if (name.includes('/node') && !name.includes('.node')) return `node binary ${perms}`;
  if (name.endsWith('.node')) return 'native addons (.node)';
  if (name.startsWith('/')) return 'shared libraries and files';
  if (name === '[heap]') return 'malloc main heap ([heap])';
  if (name.startsWith('[stack')) return 'main stack';
  if (name !== '') return name;
  if (perms === '---p') return 'guard / reserved';
  // A 64 MiB-aligned arena of glibc (per-thread malloc) starts on a 64 MiB boundary.
  if (start % BigInt(64 * KIB * KIB) === 0n && size <= 64 * KIB * KIB)
    return 'anon at 64 MiB boundary (thread arena?)';
  if (size === 256 * KIB) return 'anon 256 KiB (V8 page)';
  if (size === 8192 * KIB || size === 8196 * KIB) return 'anon 8 MiB (thread stack)';
  return 'anon other';
}

/** Resident KiB by kind of mapping, from /proc/PID/smaps. */
function smapsByKind(pid: number): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const mapping of readSmaps(pid)) {
    const kind = kindOf(mapping);
    kinds[kind] = (kinds[kind] ?? 0) + mapping.rss / KIB;
  }
  return kinds;
}

async function heapSpaces(httpPort: number): Promise<Record<string, string>> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const out: Record<string, string> = {};
  for (const m of text.matchAll(
    /^nodejs_heap_space_size_(used|total)_bytes\{[^}]*space="(\w+)"[^}]*\} (\S+)$/gm,
  ))
    out[`${m[2]} ${m[1]}`] = (Number(m[3]) / 1048576).toFixed(1);
  const ext = /^nodejs_external_memory_bytes(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1];
  out.external = (Number(ext) / 1048576).toFixed(1);
  return out;
}

/** Self size by constructor (node name for objects, type otherwise) in a .heapsnapshot. */
function snapshotByConstructor(file: string): Map<string, { count: number; bytes: number }> {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt] as number] as string;
    const name = snap.strings[snap.nodes[i + nameAt] as number] as string;
    const key =
      type === 'object' || type === 'native'
        ? `${type}:${name}`
        : type === 'closure'
          ? 'closure'
          : type === 'code'
            ? `code:${name.slice(0, 30)}`
            : type;
    const entry = out.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += snap.nodes[i + sizeAt] as number;
    out.set(key, entry);
  }
  return out;
}

async function snapshot(child: Child, cwd: string): Promise<string> {
  const before = new Set(readdirSync(cwd));
  child.process.kill('SIGUSR2');
  let file = '';
  await waitFor(
    'heap snapshot',
    () => {
      const found = readdirSync(cwd).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
      if (!found) return false;
      file = join(cwd, found);
      return true;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  // Complete once it parses.
  for (;;) {
    await sleep(2000);
    try {
      JSON.parse(readFileSync(file, 'utf8'));
      return file;
    } catch {
      // still being written
    }
  }
}

/** Inside the gateway: samples what outlives scavenges from 20 s on, writes the profile at 80 s. */
const PROMOTED_PRELOAD = `
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
const session = new Session();
session.connect();
const post = (method, params) => new Promise((resolve, reject) =>
  session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
setTimeout(async () => {
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.env.PROBE_ALL_ALLOCATION === '1' });
  setTimeout(async () => {
    const { profile } = await post('HeapProfiler.stopSampling');
    writeFileSync(process.env.PROBE_PROFILE_FILE, JSON.stringify(profile));
  }, 60_000).unref();
}, 20_000).unref();
`;

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** Sampled bytes by innermost frames (a stack of `depth` named frames), largest first. */
function profileByStack(file: string, depth: number): Array<[string, number]> {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: ProfileNode };
  const out = new Map<string, number>();
  const walk = (node: ProfileNode, stack: string[]) => {
    const frame = `${node.callFrame.functionName || '(anon)'} ${node.callFrame.url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1}`;
    const here = [...stack, frame];
    if (node.selfSize > 0) {
      const key = here.slice(-depth).reverse().join(' ← ');
      out.set(key, (out.get(key) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, here);
  };
  walk(head, []);
  return [...out.entries()].sort((a, b) => b[1] - a[1]);
}

const packages = await importedPackages('edge/main.ts');
const floorFile = await bundleFloor(packages.atStart, bundleDir);

const farm = new ModbusFarm({ buses: 10, profiles: unitProfiles, dir });
const upstream = await startBroker('aedes', dir);
const loadBefore = loadAverage();
const snapDir = join(dir, 'snapshots');
mkdirSync(snapDir);
const extraFlags = (process.env.BENCH_GATEWAY_FLAGS ?? '').split(' ').filter(Boolean);
try {
  await farm.start();
  const snapFlags = ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapDir}`];
  const promoted = process.env.BENCH_PROBE_PROMOTED === '1';
  const profileFile = join(dir, 'promoted.heapprofile');
  const preload = join(dir, 'promoted-preload.mjs');
  writeFileSync(preload, PROMOTED_PRELOAD);
  const perFile =
    process.env.BENCH_PROBE_PER_FILE === '1' ? join(CODE_ROOT, 'edge', 'main-per-file.js') : undefined;
  if (perFile)
    await build({
      entryPoints: [projectFile('edge/main.ts')],
      outfile: perFile,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
    });
  const gateway = await startBenchGateway(
    {
      at: join(dir, 'edge'),
      upstream: { url: upstream.url, clientId: 'gw-probe' },
      farm,
      publish: { mode: 'batch' },
    },
    {
      ...(perFile ? { bundle: perFile } : {}),
      nodeFlags: [...snapFlags, ...extraFlags, ...(promoted ? ['--import', preload] : [])],
      env: { PROBE_PROFILE_FILE: profileFile },
      waitFor: 'nothing',
    },
  );
  const floor = Child.spawn(process.execPath, [...snapFlags, floorFile], {
    logFile: join(dir, 'floor.log'),
    env: { ...EDGE_PROCESS_ENV },
  });
  await untilGatewayAnswers(gateway);
  const { httpPort } = gateway;
  const rows: string[] = [];
  const cpu0 = cpuSeconds(gateway.child.pid);
  const t0 = performance.now();
  let lastG: Record<string, number> = {};
  let lastF: Record<string, number> = {};
  for (let t = 0; t <= durationS; t += 10) {
    const g = readSmapsRollup(gateway.child.pid);
    const f = readSmapsRollup(floor.pid);
    lastG = smapsByKind(gateway.child.pid);
    lastF = smapsByKind(floor.pid);
    const spaces = await heapSpaces(httpPort);
    rows.push(
      `t=${t}s gateway Rss ${g.rss / KIB} anon ${g.anonymous / KIB} | floor Rss ${f.rss / KIB} anon ${f.anonymous / KIB} | ${Object.entries(
        spaces,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    if (t < durationS) await sleep(10_000);
  }
  const core = (cpuSeconds(gateway.child.pid) - cpu0) / ((performance.now() - t0) / 1000);
  print(
    `## Gateway probe (${new Date().toISOString()}, load average ${loadBefore} → ${loadAverage()}), gateway ${core.toFixed(3)} of a core`,
  );
  print();
  for (const row of rows) print(`- ${row}`);
  print();
  print('| mapping kind | gateway KiB | floor KiB | Δ |');
  print('| --- | --- | --- | --- |');
  for (const kind of new Set([...Object.keys(lastG), ...Object.keys(lastF)]))
    print(
      `| ${kind} | ${lastG[kind] ?? 0} | ${lastF[kind] ?? 0} | ${(lastG[kind] ?? 0) - (lastF[kind] ?? 0)} |`,
    );
  print();
  if (promoted) {
    await waitFor('promoted profile', () => readdirSync(dir).includes('promoted.heapprofile'), {
      timeoutMs: 120_000,
    });
    await sleep(2000);
    for (const depth of [1, 3]) {
      const rows = profileByStack(profileFile, depth);
      const total = rows.reduce((sum, [, bytes]) => sum + bytes, 0);
      print(
        `### Sampled, allocated over 60 s and not collected by a scavenge: ${(total / 1048576).toFixed(2)} MiB; by ${depth} frame(s)`,
      );
      print();
      for (const [stack, bytes] of rows.slice(0, 40)) print(`- ${(bytes / 1024).toFixed(0)} KiB ${stack}`);
      print();
    }
  }
  if (process.env.BENCH_PROBE_SNAPSHOT !== '0') {
    const gSnap = snapshotByConstructor(await snapshot(gateway.child, snapDir));
    const fSnap = snapshotByConstructor(await snapshot(floor, snapDir));
    const total = (m: Map<string, { bytes: number }>) => [...m.values()].reduce((s, e) => s + e.bytes, 0);
    print(
      `heap snapshot self sizes: gateway ${(total(gSnap) / 1048576).toFixed(2)} MiB, floor ${(total(fSnap) / 1048576).toFixed(2)} MiB`,
    );
    print();
    print('| constructor | gateway count | gateway KiB | floor count | floor KiB | Δ KiB |');
    print('| --- | --- | --- | --- | --- | --- |');
    const keys = new Set([...gSnap.keys(), ...fSnap.keys()]);
    const deltas = [...keys]
      .map((k) => ({
        k,
        g: gSnap.get(k) ?? { count: 0, bytes: 0 },
        f: fSnap.get(k) ?? { count: 0, bytes: 0 },
      }))
      .sort((a, b) => b.g.bytes - b.f.bytes - (a.g.bytes - a.f.bytes))
      .slice(0, 45);
    for (const { k, g, f } of deltas)
      print(
        `| ${k.replaceAll('|', '/')} | ${g.count} | ${(g.bytes / 1024).toFixed(0)} | ${f.count} | ${(f.bytes / 1024).toFixed(0)} | ${((g.bytes - f.bytes) / 1024).toFixed(0)} |`,
      );
  }
  await gateway.child.stop();
  await floor.stop();
} finally {
  await farm.stop();
  await upstream.stop();
  rmSync(bundleDir, { recursive: true, force: true });
  removeUnlessKept(dir);
}
