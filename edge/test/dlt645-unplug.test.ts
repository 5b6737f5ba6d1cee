import { afterAll, beforeAll, describe, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { Dlt645Line } from '../../firmware-sim/index.js';
import { waitFor } from '../../runtime/index.js';
import type { Gateway } from '../gateway.js';
import { DLT645_PROFILE, NOON_CLOCK, simulatedMeter } from './support/dlt645-meters.js';
import { startGateway, tempDir, testConfig, testLogger } from './support/gateway-harness.js';
import { PtyPair } from './support/pty-pair.js';
import { UpstreamBroker } from './support/upstream-broker.js';

const SHOP = '000012345678';

/**
 * The USB RS-485 adapter of a DL/T 645 line is pulled while the gateway polls and plugged
 * back (socat ends: both terminals vanish, then come back at the same paths). The byte
 * line (poll/byte-link.ts, not modbus-serial) sees its port fail and its opens refused;
 * the gateway keeps running and reads the meter again without a restart.
 */
describe('a DL/T 645 serial adapter unplugged and plugged back', () => {
  const upstream = new UpstreamBroker();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let pty: PtyPair;
  let line: Dlt645Line | undefined;
  let gateway: Gateway | undefined;
  const readings = () => upstream.on(topics.telemetry('test-site', 'gw-test', 'shop-meter')).length;
  const startLine = async () => {
    line = new Dlt645Line({
      meters: [simulatedMeter(SHOP, 3000)],
      line: { path: pty.b, serial: DLT645_PROFILE.serial },
      logger: testLogger,
      clock: NOON_CLOCK,
      refreshMs: 3_600_000,
    });
    await line.start();
  };

  beforeAll(async () => {
    dir = await tempDir();
    pty = new PtyPair(dir.path);
    await Promise.all([pty.start(), upstream.start()]);
    await startLine();
    gateway = await startGateway(
      testConfig(upstream.url, dir.path, {
        modbus: {
          offlineAfterFailures: 2,
          offlinePollIntervalS: 0.3,
          buses: [
            {
              id: 'bus-dlt645',
              protocol: 'dlt645',
              path: pty.a,
              timeoutMs: 300,
              retries: 0,
              devices: [{ id: 'shop-meter', profile: DLT645_PROFILE.id, address: SHOP, pollIntervalS: 0.2 }],
            },
          ],
        },
      }),
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await line?.stop();
    await pty?.stop();
    await upstream.stop();
    await dir?.remove();
  });

  it('keeps running while the port is gone and reads the meter again once it is back', async () => {
    await waitFor('readings before the adapter is pulled', () => readings() >= 2, { timeoutMs: 15_000 });
    await line?.stop();
    line = undefined;
    await pty.stop();
    await waitFor(
      'a poll failing to open the port',
      () => gateway?.devices().find((d) => d.id === 'shop-meter')?.lastError?.code === 'DLT645_CONNECT',
      { timeoutMs: 15_000 },
    );
    await pty.start();
    await startLine();
    const before = readings();
    await waitFor('readings after the adapter is back', () => readings() >= before + 2, {
      timeoutMs: 20_000,
    });
  });
});
