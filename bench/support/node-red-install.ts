import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectFile } from '../../runtime/index.js';

/**
 * What a village integrator would run instead of this platform, pinned: Node-RED 4 (5.x needs
 * Node 22), node-red-contrib-modbus 5.23.3 (later 5.x fetch a library from outside the npm
 * registry) and the registry's node-red-contrib-influxdb. Benchmark material, not a project
 * dependency: installed on first use into its own folder under data/ and reused.
 */
export const NODE_RED_PACKAGES = {
  'node-red': '4.1.8',
  'node-red-contrib-modbus': '5.23.3',
  'node-red-contrib-influxdb': '0.7.0',
} as const;

export const NODE_RED_CACHE = projectFile('data/node-red-bench');

function installedVersion(nodeModules: string, name: string): string | undefined {
  const file = join(nodeModules, name, 'package.json');
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version;
}

/**
 * Installs the pinned packages into {@link NODE_RED_CACHE} unless they are there already,
 * and returns its node_modules folder. `--ignore-scripts`: none of them needs an install
 * script (bcrypt is optional to Node-RED, serialport ships prebuilt binaries), so the
 * install asks nothing and runs no code of theirs.
 */
export function ensureNodeRed(log: (line: string) => void = () => undefined): string {
  const nodeModules = join(NODE_RED_CACHE, 'node_modules');
  const missing = Object.entries(NODE_RED_PACKAGES).filter(
    ([name, version]) => installedVersion(nodeModules, name) !== version,
  );
  if (missing.length === 0) return nodeModules;
  log(
    `installing ${missing.map(([name, version]) => `${name}@${version}`).join(', ')} into ${NODE_RED_CACHE}`,
  );
  mkdirSync(NODE_RED_CACHE, { recursive: true });
  writeFileSync(
    join(NODE_RED_CACHE, 'package.json'),
    `${JSON.stringify({ name: 'node-red-bench', private: true, dependencies: NODE_RED_PACKAGES }, null, 2)}\n`,
  );
  execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--save-exact'], {
    cwd: NODE_RED_CACHE,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (const [name, version] of Object.entries(NODE_RED_PACKAGES)) {
    const got = installedVersion(nodeModules, name);
    if (got !== version) throw new Error(`${name}: wanted ${version}, installed ${got ?? 'nothing'}`);
  }
  return nodeModules;
}
