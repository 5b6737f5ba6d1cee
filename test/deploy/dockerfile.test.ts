import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BROKER_PROCESS_ENV } from '../../broker/index.js';
import { REPO_ROOT } from './support/compose-file.js';
import { dockerignorePatterns, isIgnored } from './support/dockerignore.js';

const dockerfile = readFileSync(resolve(REPO_ROOT, 'Dockerfile'), 'utf8');
const packageJson = JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
};

/** The instructions of each stage, continuation lines joined. */
function stages(text: string): Array<{ name: string; lines: string[] }> {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const result: Array<{ name: string; lines: string[] }> = [];
  for (const line of lines) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) result.push({ name: from[1] ?? '', lines: [line] });
    else result.at(-1)?.lines.push(line);
  }
  return result;
}

describe('Dockerfile', () => {
  const all = stages(dockerfile);
  const runtime = all.at(-1);

  it('builds on a pinned Node 20 bookworm-slim image', () => {
    const image = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(image).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
    expect(all.map((s) => s.lines[0])).toEqual([
      'FROM ${NODE_IMAGE} AS build',
      'FROM ${NODE_IMAGE} AS runtime',
    ]);
  });

  it('installs production dependencies with install scripts limited to allowScripts', () => {
    const build = all.find((s) => s.name === 'build')?.lines.join('\n') ?? '';
    expect(build).toMatch(/npm ci --omit=dev --strict-allow-scripts/);
    // Native builds that must run; msgpackr-extract's is denied (its prebuilt binary or msgpackr's JS serve).
    expect(packageJson.allowScripts).toEqual({
      '@serialport/bindings-cpp': true,
      'classic-level': true,
      esbuild: true,
      'msgpackr-extract': false,
    });
    // The image builds with esbuild and keeps tsx for its CLIs, so both survive --omit=dev.
    expect(packageJson.dependencies.esbuild).toBeDefined();
    expect(packageJson.dependencies.tsx).toBeDefined();
  });

  it('sets the malloc threshold the broker needs for every service (broker/process-env.ts)', () => {
    const lines = runtime?.lines ?? [];
    expect(lines).toContain(`ENV GLIBC_TUNABLES=${BROKER_PROCESS_ENV.GLIBC_TUNABLES}`);
  });

  it('builds dist/ from the copied code before dropping root', () => {
    const lines = runtime?.lines ?? [];
    const copy = lines.indexOf('COPY . .');
    const build = lines.indexOf('RUN node --import tsx deploy/build.ts');
    const user = lines.indexOf('USER node');
    expect(copy).toBeGreaterThan(0);
    expect(build).toBeGreaterThan(copy);
    expect(user).toBeGreaterThan(build);
  });

  it('runs as the unprivileged node user, with no HEALTHCHECK (compose has them)', () => {
    const lines = runtime?.lines ?? [];
    expect(lines.filter((l) => l.startsWith('USER ')).at(-1)).toBe('USER node');
    expect(lines.some((l) => l.startsWith('COPY --from=build /app/node_modules'))).toBe(true);
    expect(dockerfile).not.toMatch(/^HEALTHCHECK/m);
  });

  it('copies influxd (for backups) from the InfluxDB image docker-compose.yml runs', () => {
    const compose = readFileSync(resolve(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    const served = /^\s+image: (influxdb:\S+)$/m.exec(compose)?.[1];
    const copied = /^COPY --from=(influxdb:\S+) \/usr\/bin\/influxd /m.exec(dockerfile)?.[1];
    expect(served).toMatch(/^influxdb:1\.8\.\d+$/);
    expect(copied).toBe(served);
  });

  it('keeps secrets and local state out of the build context, but not the code', () => {
    const patterns = dockerignorePatterns();
    for (const path of [
      '.env',
      'data/influxdb/x',
      'node_modules/zod/index.js',
      '.git/HEAD',
      'broker/test/acl.test.ts',
      'certs/server.key',
      'backups/village-2026-11-30T03-30-00Z/manifest.json',
    ]) {
      expect(isIgnored(path, patterns), path).toBe(true);
    }
    for (const path of [
      'broker/main.ts',
      'site/demo-village.yaml',
      'deploy/env.example',
      'package-lock.json',
    ]) {
      expect(isIgnored(path, patterns), path).toBe(false);
    }
  });
});
