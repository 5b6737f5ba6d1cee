import { readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { PROJECT_ROOT, projectFile } from '../runtime/index.js';
import { bundleDaemon } from './daemon-bundle.js';

/** The folders the services, gateway and CLIs are made of (tests and benchmarks are not). */
export const PRODUCT_FOLDERS = [
  'contracts',
  'runtime',
  'devices',
  'site',
  'broker',
  'ingest',
  'edge',
  'firmware-sim',
  'alerting',
  'dashboards',
  'storage',
  'reports',
  'stack',
  'deploy',
] as const;

export const DEFAULT_OUT_DIR = projectFile('dist');

/** Tests, benchmarks and generated output inside a product folder are not code the services run. */
const SKIPPED_FOLDERS = new Set(['test', 'bench', 'generated']);

export interface BuildOptions {
  /** Must lie inside the repository, so the emitted code finds node_modules and package.json above it. */
  outDir?: string;
  folders?: readonly string[];
}

/**
 * Emits each TypeScript file as one JavaScript module, same tree, no bundling (esbuild,
 * about a second for the whole project; `npm run typecheck` is what checks the types).
 * Why a build at all: tsx transpiles every file at start-up in each process (~30 MiB of
 * RSS per service on a gateway) and wraps every named closure in a `__name` call, a few
 * per cent of ingest's CPU under load.
 *
 * One exception: the gateway's daemon entry, edge/main.js, is the whole daemon in one
 * minified file (deploy/daemon-bundle.ts), in a checkout as in the offline install. The
 * gateway is the service that runs on the smallest boxes, and one file instead of ~130
 * modules of its own took 6–8 MiB off its RSS (bench/README.md, `gateway-memory`). The
 * technician's CLI and the village process import the per-file modules beside it.
 */
export async function buildDist(options: BuildOptions = {}): Promise<string> {
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  const folders = options.folders ?? PRODUCT_FOLDERS;
  rmSync(outDir, { recursive: true, force: true });
  await build({
    entryPoints: folders.flatMap(sourceFilesOf),
    outdir: outDir,
    outbase: PROJECT_ROOT,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  if (folders.includes('edge')) await bundleDaemon('edge/main.ts', join(outDir, 'edge', 'main.js'));
  return outDir;
}

function sourceFilesOf(folder: string): string[] {
  const root = join(PROJECT_ROOT, folder);
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts'))
    .filter((path) => !path.split('/').some((folder) => SKIPPED_FOLDERS.has(folder)))
    .map((path) => join(root, path));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outDir = await buildDist();
  process.stdout.write(`built ${relative(process.cwd(), outDir) || '.'}/\n`);
}
