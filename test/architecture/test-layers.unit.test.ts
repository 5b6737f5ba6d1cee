import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { projectFile } from '../../runtime/index.js';

/**
 * The unit layer (`*.unit.test.ts`, `npm run test:unit`) must pass on a machine with no system
 * packages and no servers: its guard refuses sockets and the system binaries, and CI runs the
 * layer before it installs anything.
 */
describe('the unit layer', () => {
  it('refuses to start a server', () => {
    expect(() => createServer().listen(0, '127.0.0.1')).toThrow(/unit layer: net.Server.listen/);
  });

  it('refuses to open a socket', () => {
    expect(() => connect(8086, '127.0.0.1')).toThrow(/unit layer: net.Socket.connect/);
  });

  it('refuses to run the system packages the other layers need', () => {
    for (const binary of ['influxd', 'socat', '/usr/bin/chromium', 'redis-server', 'mosquitto']) {
      expect(() => execFile(binary, ['--version']), binary).toThrow(/unit layer/);
    }
  });

  it('is what `npm run test:unit` runs, and CI runs it before installing system packages', () => {
    const scripts = JSON.parse(readFileSync(projectFile('package.json'), 'utf8')).scripts as Record<
      string,
      string
    >;
    expect(scripts['test:unit']).toBe('vitest run --project unit');
    expect(scripts['test:e2e']).toBe('vitest run --project e2e');
    expect(scripts.test).toBe('vitest run');

    const ci = readFileSync(projectFile('.ci/run'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    const unit = ci.indexOf('npm run test:unit');
    const systemDeps = ci.findIndex((line) => line.includes('stack/system-deps.sh'));
    expect(unit).toBeGreaterThanOrEqual(0);
    expect(systemDeps).toBeGreaterThan(unit);
    expect(ci.at(-1)).toBe('npm test');
  });
});
