/**
 * Runs a benchmark the way the services run in production: built to JavaScript first
 * (deploy/build.ts), so the benchmark and every process it starts run the build, not tsx.
 *   npm run bench -- <name> [benchmark options]      e.g. npm run bench -- ingest-naive --quick
 * (`npx tsx bench/<name>.ts` still runs everything through tsx.)
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildDist, PRODUCT_FOLDERS } from '../deploy/index.js';
import { PROJECT_ROOT, projectFile } from '../runtime/index.js';

/** The benchmarks reuse the test harness (villages, load publishers), so it is built too. */
const BENCH_FOLDERS = [...PRODUCT_FOLDERS, 'bench', 'test/support', 'test/faults/support'];
const BUILD_DIR = projectFile('data/bench-build');

const [name, ...args] = process.argv.slice(2);
const benchmarks = readdirSync(projectFile('bench'))
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .map((file) => file.slice(0, -'.ts'.length));
if (!name || !benchmarks.includes(name)) {
  process.stderr.write(
    `usage: npm run bench -- <name> [options]\n  where <name> is one of: ${benchmarks.join(', ')}\n`,
  );
  process.exit(2);
}

await buildDist({ outDir: BUILD_DIR, folders: BENCH_FOLDERS });
const script = join(BUILD_DIR, 'bench', `${name}.js`);
if (!existsSync(script)) throw new Error(`the build did not emit ${script}`);
const child = spawn(process.execPath, [script, ...args], { cwd: PROJECT_ROOT, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
