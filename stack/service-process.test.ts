import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../runtime/index.js';
import { ServiceProcess } from './service-process.js';

describe('a service that exits before it is ready', () => {
  const dir = mkdtempSync(join(tmpdir(), 'service-process-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails its start at once, quoting the end of its log', async () => {
    const broker = new ServiceProcess({
      name: 'broker',
      entry: 'broker/main.ts',
      logFile: join(dir, 'broker.log'),
      readyUrl: `http://127.0.0.1:${await freePort()}/readyz`,
      env: { BROKER_MQTT_PORT: 'not-a-port' },
    });
    const error = await broker.start().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/broker exited \(code 1, signal null\) before it was ready/);
    expect((error as Error).message).toContain('mqtt.port (from BROKER_MQTT_PORT)');
  }, 90_000);
});
