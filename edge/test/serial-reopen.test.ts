import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dlt645Line, startPtyPair, type PtyPair } from '../../firmware-sim/index.js';
import { readLineAddress } from '../cli/read-address.js';
import { dlt645BusSchema } from '../config/edge-config-schema.js';
import { serialByteLink } from '../poll/byte-link.js';
import { DLT645_PROFILE, NOON_CLOCK, simulatedMeter } from './support/dlt645-meters.js';
import { testLogger } from './support/gateway-harness.js';

const METER = '000020250042';

/*
 * A serial port is locked (flock) while it is open and released only when its close
 * completes on libuv's pool. A line discovery closes the port and at once opens it
 * again at the next setting: closing must resolve only once the port is released, or
 * the next open fails with "Cannot lock port" now and then.
 */
describe('a serial line closed and opened again at once', () => {
  let pty: PtyPair;
  let line: Dlt645Line;

  beforeAll(async () => {
    pty = await startPtyPair();
    line = new Dlt645Line({
      meters: [simulatedMeter(METER, 3000)],
      line: { path: pty.a, serial: DLT645_PROFILE.serial },
      logger: testLogger,
      clock: NOON_CLOCK,
      refreshMs: 3_600_000,
    });
    await line.start();
  });

  afterAll(async () => {
    await line?.stop();
    await pty?.stop();
  });

  it('opens every time, and the meter answers every time', async () => {
    const bus = dlt645BusSchema().parse({
      id: 'reopen',
      protocol: 'dlt645',
      path: pty.b,
      timeoutMs: 1000,
      devices: [],
    });
    const outcomes: string[] = [];
    for (let i = 0; i < 200; i++) {
      const result = await readLineAddress(bus);
      outcomes.push(
        result.kind === 'found'
          ? result.meter.address
          : result.kind === 'unavailable'
            ? result.error.message
            : result.kind,
      );
    }
    expect(outcomes).toEqual(Array.from({ length: 200 }, () => METER));
  }, 120_000);
});

describe('a serial port another handle still holds', () => {
  let pty: PtyPair;

  beforeAll(async () => {
    pty = await startPtyPair();
  });

  afterAll(async () => {
    await pty?.stop();
  });

  const holder = async () => {
    const port = new SerialPort({ path: pty.b, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    return port;
  };
  const release = (port: SerialPort) => new Promise<void>((resolve) => port.close(() => resolve()));
  const dlt645Link = () =>
    serialByteLink('dlt645', { path: pty.b, baudRate: 2400, parity: 'even', dataBits: 8, stopBits: 1 });

  it('is opened once the other handle lets go within a moment', async () => {
    const held = await holder();
    const link = dlt645Link();
    const opening = link.open();
    setTimeout(() => void release(held), 400);
    const stream = await opening;
    await link.dispose(stream);
  });

  it('is refused with the port’s own words when the other handle keeps it', async () => {
    const held = await holder();
    const link = dlt645Link();
    await expect(link.open()).rejects.toThrow(/Cannot lock port/);
    await release(held);
  });
});
