import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { BUNDLE_TARGETS, bundleGateway, NATIVE_PREBUILDS } from '../deploy/bundle.js';
import { UpstreamBroker } from './support/upstream-broker.js';
import { freePort, waitFor } from '../../runtime/index.js';

/**
 * `npm run bundle:edge` end to end: the archive is built, unpacked and installed into
 * an empty folder with no registry reachable (npm_config_offline, and a registry that
 * cannot answer), and the gateway starts from there: its disk buffer (classic-level)
 * and serial ports (serialport) load their prebuilt native modules, it connects upstream.
 */
describe('offline install bundle of the gateway', () => {
  const upstream = new UpstreamBroker();
  let dir: string;
  let archive: string;
  let prefix: string;
  let gateway: ChildProcess | undefined;
  const offline = {
    ...process.env,
    PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
    npm_config_offline: 'true',
    npm_config_registry: 'http://127.0.0.1:9/',
    LOG_LEVEL: 'warn',
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edge-bundle-'));
    archive = await bundleGateway(join(dir, 'out'));
    await upstream.start();
  }, 300_000);

  afterAll(async () => {
    gateway?.kill('SIGKILL');
    await upstream.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('carries prebuilt native modules for linux-arm64 and linux-x64', () => {
    const listing = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    for (const module of NATIVE_PREBUILDS) {
      for (const target of BUNDLE_TARGETS) {
        expect(listing, `${module} ${target}`).toMatch(
          new RegExp(`/node_modules/${module.replace('/', '\\/')}/prebuilds/${target}/[^/]+\\.node$`, 'm'),
        );
      }
    }
    expect(listing).toMatch(/\/install\.sh$/m);
    expect(listing).toMatch(/\/deploy\/village-gateway\.service$/m);
    expect(listing).toMatch(/\/dist\/edge\/main\.js$/m);
  });

  it('installs into an empty folder without network, and the gateway starts from it', async () => {
    const unpacked = join(dir, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', archive, '-C', unpacked]);
    const [bundleDir] = execFileSync('ls', [unpacked], { encoding: 'utf8' }).trim().split('\n');
    prefix = join(dir, 'opt', 'village-gateway');
    const installed = execFileSync(
      'sh',
      [join(unpacked, bundleDir!, 'install.sh'), '--prefix', prefix, '--no-systemd'],
      {
        env: offline,
        encoding: 'utf8',
      },
    );
    expect(installed).toContain(`✔ installed / 已安装 in ${prefix}`);
    const unit = readFileSync(join(prefix, 'deploy', 'village-gateway.service'), 'utf8');
    expect(unit).toMatch(
      new RegExp(
        `^ExecStart=${process.execPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} dist/edge/main\\.js --config `,
        'm',
      ),
    );
    expect(unit).toMatch(new RegExp(`^WorkingDirectory=${prefix}$`, 'm'));
    expect(unit).not.toMatch(/@NODE@|@PREFIX@/);
    // The daemon the unit starts is one file: it imports none of the project's modules.
    const daemon = readFileSync(join(prefix, 'dist', 'edge', 'main.js'), 'utf8');
    expect(daemon).not.toMatch(/(?:from|import\()\s*["']\.\.?\//);
    // A second install into a folder that is no longer empty is refused.
    expect(() =>
      execFileSync('sh', [join(unpacked, bundleDir!, 'install.sh'), '--prefix', prefix, '--no-systemd'], {
        env: offline,
        stdio: 'pipe',
      }),
    ).toThrow();

    const httpPort = await freePort();
    const config = join(dir, 'edge.yaml');
    writeFileSync(
      config,
      stringify({
        site: 'test-site',
        gateway: 'gw-bundle',
        upstream: { url: upstream.url },
        lan: { enabled: false },
        http: { host: '127.0.0.1', port: httpPort },
        dataDir: join(dir, 'data'),
      }),
    );
    gateway = spawn(process.execPath, ['dist/edge/main.js', '--config', config], {
      cwd: prefix,
      env: offline,
      stdio: 'ignore',
    });
    await waitFor(
      'the installed gateway ready (upstream connected)',
      async () => (await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => undefined))?.status === 200,
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(existsSync(join(dir, 'data', 'buffer'))).toBe(true);
    const status = (await (await fetch(`http://127.0.0.1:${httpPort}/api/status`)).json()) as {
      version: string;
    };
    expect(status.version).toMatch(/^\d+\.\d+\.\d+/);
    const ports = execFileSync(
      process.execPath,
      ['dist/edge/cli.js', 'ports', '--by-id-dir', join(dir, 'no-such-dir')],
      {
        cwd: prefix,
        env: offline,
        encoding: 'utf8',
      },
    );
    expect(ports).toMatch(/没有找到串口|稳定名称 Stable name/);
  }, 120_000);
});
