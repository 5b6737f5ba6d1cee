import { afterAll, beforeAll, describe, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { Cjt188Line, Dlt645Line } from '../../firmware-sim/index.js';
import { waitFor } from '../../runtime/index.js';
import type { Gateway } from '../gateway.js';
import { CJT188_PROFILE, simulatedWaterMeter } from './support/cjt188-meters.js';
import { DLT645_PROFILE, NOON_CLOCK, simulatedMeter } from './support/dlt645-meters.js';
import { startGateway, tempDir, testConfig, testLogger } from './support/gateway-harness.js';
import { PtyPair } from './support/pty-pair.js';
import { UpstreamBroker } from './support/upstream-broker.js';

const LINE_OPTIONS = { logger: testLogger, clock: NOON_CLOCK, refreshMs: 3_600_000 };

/** The gateway's bus of one meter, `meter`, on the serial port at `path`. */
function serialBus<P extends 'dlt645' | 'cjt188'>(
  protocol: P,
  path: string,
  profile: string,
  address: string,
) {
  const devices = [{ id: 'meter', profile, address, pollIntervalS: 0.2 }];
  return { id: 'bus-serial', protocol, path, timeoutMs: 300, retries: 0, devices };
}

/** The byte-framed protocols: a meter of each, the simulated line serving it on `path`, and its connect error. */
const PROTOCOLS = [
  {
    protocol: 'dlt645',
    bus: (path: string) => serialBus('dlt645' as const, path, DLT645_PROFILE.id, '000012345678'),
    connectCode: 'DLT645_CONNECT',
    line: (path: string) =>
      new Dlt645Line({
        ...LINE_OPTIONS,
        meters: [simulatedMeter('000012345678', 3000)],
        line: { path, serial: DLT645_PROFILE.serial },
      }),
  },
  {
    protocol: 'cjt188',
    bus: (path: string) => serialBus('cjt188' as const, path, CJT188_PROFILE.id, '00000020250001'),
    connectCode: 'CJT188_CONNECT',
    line: (path: string) =>
      new Cjt188Line({
        ...LINE_OPTIONS,
        meters: [simulatedWaterMeter('00000020250001')],
        line: { path, serial: CJT188_PROFILE.serial },
      }),
  },
] as const;

/**
 * The USB RS-485 adapter of a DL/T 645 or CJ/T 188 line is pulled while the gateway polls
 * and plugged back (socat ends: both terminals vanish, then come back at the same paths).
 * The byte line (poll/byte-link.ts, not modbus-serial) sees its port fail and its opens
 * refused; the gateway keeps running and reads the meter again without a restart.
 */
describe.each(PROTOCOLS)('a $protocol serial adapter unplugged and plugged back', (meter) => {
  const upstream = new UpstreamBroker();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let pty: PtyPair;
  let line: { start(): Promise<void>; stop(): Promise<void> } | undefined;
  let gateway: Gateway | undefined;
  const readings = () => upstream.on(topics.telemetry('test-site', 'gw-test', 'meter')).length;
  const startLine = async () => {
    line = meter.line(pty.b);
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
          buses: [meter.bus(pty.a)],
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
      () => gateway?.devices().find((d) => d.id === 'meter')?.lastError?.code === meter.connectCode,
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
