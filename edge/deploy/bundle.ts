import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildDist } from '../../deploy/index.js';
import { PROJECT_ROOT, projectFile } from '../../runtime/index.js';

/** The entry points of what the bundle runs: the gateway and its technician CLI. */
const GATEWAY_ENTRIES = ['edge/main.ts', 'edge/cli.ts'];

/** The project folders the gateway and its CLI import, found by following their imports. */
export async function gatewayFolders(): Promise<string[]> {
  const result = await build({
    entryPoints: GATEWAY_ENTRIES.map((entry) => projectFile(entry)),
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    write: false,
    outdir: join(tmpdir(), 'gateway-imports'),
    metafile: true,
    logLevel: 'silent',
  });
  return [
    ...new Set(Object.keys(result.metafile.inputs).map((input) => input.split('/')[0] as string)),
  ].sort();
}

/** Native modules the gateway loads, each of which must carry a prebuilt binary per target. */
export const NATIVE_PREBUILDS = ['@serialport/bindings-cpp', 'classic-level'] as const;
export const BUNDLE_TARGETS = ['linux-arm64', 'linux-x64'] as const;

export const DEFAULT_BUNDLE_DIR = projectFile('dist-bundle');

/**
 * `npm run bundle:edge`: one archive that installs a gateway without internet. It holds
 * the built gateway (dist/, no TypeScript at run time; the daemon's entry one minified
 * file, deploy/daemon-bundle.ts), the production dependencies as
 * package-lock.json pins them, with the prebuilt native binaries the serialport and
 * classic-level packages ship for every platform (arm64 and x64 among them), patched
 * as `npm ci` would, the systemd unit, the example config and the install script.
 * Needs the npm registry (or its cache) once, at bundle time.
 */
export async function bundleGateway(outDir = DEFAULT_BUNDLE_DIR): Promise<string> {
  const { version } = JSON.parse(readFileSync(projectFile('package.json'), 'utf8')) as { version: string };
  const name = `village-gateway-${version}`;
  const work = mkdtempSync(join(tmpdir(), 'gateway-bundle-'));
  const root = join(work, name);
  try {
    mkdirSync(root);
    for (const file of ['package.json', 'package-lock.json', 'LICENSE']) {
      if (existsSync(projectFile(file))) cpSync(projectFile(file), join(root, file));
    }
    cpSync(projectFile('patches'), join(root, 'patches'), { recursive: true });
    // The daemon the systemd unit starts is one minified file (less memory on a 1 GB board);
    // the technician's CLI stays the per-file build beside it (deploy/build.ts).
    await buildDist({ outDir: join(root, 'dist'), folders: await gatewayFolders() });
    run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], root);
    // What `npm ci` runs as postinstall: the project's patches to its dependencies.
    run(process.execPath, [join(root, 'node_modules', 'patch-package', 'index.js'), '--error-on-fail'], root);
    for (const module of NATIVE_PREBUILDS) {
      for (const target of BUNDLE_TARGETS) {
        const dir = join(root, 'node_modules', module, 'prebuilds', target);
        if (!existsSync(dir)) throw new Error(`${module} ships no prebuilt binary for ${target} (${dir})`);
      }
    }
    const deploy = join(root, 'deploy');
    mkdirSync(deploy);
    cpSync(projectFile('edge/deploy/village-gateway.service'), join(deploy, 'village-gateway.service'));
    cpSync(projectFile('edge/deploy/INSTALL.md'), join(deploy, 'INSTALL.md'));
    cpSync(projectFile('edge/edge.example.yaml'), join(deploy, 'edge.example.yaml'));
    cpSync(projectFile('edge/deploy/install.sh'), join(root, 'install.sh'));
    writeFileSync(
      join(root, 'BUNDLE.txt'),
      `village gateway ${version}, built ${new Date().toISOString()} for ${BUNDLE_TARGETS.join(', ')}\n` +
        'Install without internet / 离线安装: sudo ./install.sh   (./install.sh --help)\n',
    );
    mkdirSync(outDir, { recursive: true });
    const archive = join(outDir, `${name}.tar.gz`);
    rmSync(archive, { force: true });
    run('tar', ['-czf', archive, '-C', work, name], PROJECT_ROOT);
    return archive;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], cwd: string): void {
  execFileSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const archive = await bundleGateway(process.argv[2]);
  process.stdout.write(`bundled ${relative(process.cwd(), archive)}\n`);
}
