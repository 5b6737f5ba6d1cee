import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { privateDir, ServiceProcess } from '../../stack/index.js';
import { freePort } from '../../runtime/index.js';

/**
 * Issue 20, low list: `npm start`'s data folder (secrets, credentials, session stores,
 * buffers) and the services' logs were readable by every user of the machine. The data
 * folder is now 0700 (tightened if it was there already) and each log file 0600.
 */
const mode = (path: string) => statSync(path).mode & 0o777;

describe('what the stack writes on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'security-private-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes the data folder private, also one that existed open', () => {
    const data = join(dir, 'data');
    mkdirSync(data, { mode: 0o755 });
    privateDir(data);
    expect(mode(data).toString(8)).toBe('700');
  });

  it('writes a service’s log for its owner only', async () => {
    const port = await freePort();
    const logFile = join(dir, 'logs', 'simulator.log');
    const simulator = new ServiceProcess({
      name: 'simulator',
      entry: 'firmware-sim/main.ts',
      logFile,
      readyUrl: `http://127.0.0.1:${port}/healthz`,
      env: { SIM_CONTROL_PORT: String(port), SIM_HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    });
    try {
      await simulator.start();
    } finally {
      await simulator.stop();
    }
    expect(statSync(logFile).size).toBeGreaterThan(0);
    expect(mode(logFile).toString(8)).toBe('600');
    expect(mode(join(dir, 'logs')).toString(8)).toBe('700');
  });
});
