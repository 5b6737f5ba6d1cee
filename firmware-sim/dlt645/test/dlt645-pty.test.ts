import type { SerialPort } from 'serialport';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeDlt645Reading,
  decodeDlt645Value,
  encodeReadAddressRequest,
  encodeReadRequest,
  parseReadReply,
  planDlt645Reads,
  type DecodedReading,
  type Dlt645ReadReply,
} from '../../../devices/index.js';
import type { MeterMode } from '../../modbus/simulated-meter.js';
import { openSerialPort } from '../../line/meter-line.js';
import { Dlt645Line, type Dlt645Outcome } from '../dlt645-line.js';
import { startPtyPair, type PtyPair } from '../pty-pair.js';
import { meter, NOON_CLOCK, PROFILE, silentLogger } from './fixtures.js';
import { TestMaster } from './test-master.js';

const M1 = '000012345678';
const M2 = '000087654321';

describe('DL/T 645 meters on a real pseudo-terminal line (socat), 2400 8E1', () => {
  const modes = new Map<string, MeterMode>();
  const outcomes: Dlt645Outcome[] = [];
  let pty: PtyPair | undefined;
  let line: Dlt645Line | undefined;
  let port: SerialPort | undefined;
  let master: TestMaster;

  beforeAll(async () => {
    pty = await startPtyPair();
    line = new Dlt645Line({
      meters: [meter(M1, 3000), meter(M2, 8000)],
      line: { path: pty.a, serial: PROFILE.serial },
      logger: silentLogger,
      clock: NOON_CLOCK,
      refreshMs: 60_000,
      mode: (address) => modes.get(address) ?? 'normal',
      onFrame: (outcome) => outcomes.push(outcome),
    });
    await line.start();
    port = await openSerialPort(pty.b, PROFILE.serial);
    master = new TestMaster(port);
  });

  afterAll(async () => {
    master?.detach();
    if (port?.isOpen) await new Promise<void>((resolve) => port?.close(() => resolve()));
    await line?.stop();
    await pty?.stop();
  });

  beforeEach(() => {
    modes.clear();
    outcomes.length = 0;
  });

  async function poll(address: string): Promise<DecodedReading> {
    const replies = new Map<string, Dlt645ReadReply>();
    for (const read of planDlt645Reads(PROFILE, address)) {
      const frame = await master.request(read.request);
      replies.set(read.dataId, parseReadReply(frame, { address, dataId: read.dataId }));
    }
    return decodeDlt645Reading(PROFILE, replies);
  }

  it('both ends are opened with the profile line settings', () => {
    expect(PROFILE.serial).toEqual({ baudRate: 2400, parity: 'even', dataBits: 8, stopBits: 1 });
    expect(port?.settings).toMatchObject({ baudRate: 2400, parity: 'even', dataBits: 8, stopBits: 1 });
  });

  it('a poll decodes to exactly the values the meter served', async () => {
    const { values, errors } = await poll(M1);
    expect(errors).toEqual([]);
    expect(values).toEqual(line?.lastServed(M1)?.values);
    expect(Object.keys(values).sort()).toEqual(PROFILE.items.map((i) => i.field).sort());
    expect(values.voltage_v).toBeGreaterThan(225);
    expect(values.voltage_v).toBeLessThan(235);
    expect(values.frequency_hz).toBeGreaterThan(49.9);
    expect(values.active_power_kw).toBeGreaterThan(0);
    expect(values.import_energy_kwh).toBeLessThanOrEqual(values.total_energy_kwh as number);
  });

  it('two meters share the line, each answering for its own address', async () => {
    const first = await poll(M1);
    const second = await poll(M2);
    expect(second.errors).toEqual([]);
    expect(second.values).toEqual(line?.lastServed(M2)?.values);
    expect(second.values.active_power_kw).toBeGreaterThan(first.values.active_power_kw as number);
  });

  it('a request for an address nobody owns gets no reply', async () => {
    master.send(encodeReadRequest('000011112222', '02010100'));
    const reply = parseReadReply(await master.request(encodeReadRequest(M1, '02800002')));
    // Had the stranger's request been answered, that reply would have come first.
    expect(reply).toMatchObject({ kind: 'data', address: M1, dataId: '02800002' });
    expect(outcomes).toEqual(['not_for_us', 'answered']);
  });

  it('a request with a corrupted checksum is ignored', async () => {
    const broken = encodeReadRequest(M1, '02010100');
    broken[broken.length - 2] = (broken[broken.length - 2] as number) ^ 0x01;
    master.send(broken);
    const reply = parseReadReply(await master.request(encodeReadRequest(M1, '02030000')));
    expect(reply).toMatchObject({ kind: 'data', address: M1, dataId: '02030000' });
    expect(outcomes).toEqual(['broken_frame', 'answered']);
  });

  it('an identifier the meter does not have is refused with "no such data"', async () => {
    const reply = parseReadReply(await master.request(encodeReadRequest(M1, '04000401')));
    expect(reply).toMatchObject({ kind: 'error', address: M1, errorByte: 0x02 });
  });

  it('a shortened address (AA high bytes) reaches the one meter whose low digits match', async () => {
    const reply = parseReadReply(await master.request(encodeReadRequest('AAAAAA345678', '02010100')));
    expect(reply).toMatchObject({ kind: 'data', address: M1 });
    // The full wildcard reaches both meters: on a real bus they would collide, so neither answers.
    master.send(encodeReadAddressRequest());
    await master.request(encodeReadRequest(M2, '02010100'));
    expect(outcomes).toEqual(['answered', 'ambiguous', 'answered']);
  });

  it('a silent meter does not answer; a garbage meter sends digits that are not BCD', async () => {
    modes.set(M1, 'silent');
    master.send(encodeReadRequest(M1, '02010100'));
    expect(parseReadReply(await master.request(encodeReadRequest(M2, '02010100')))).toMatchObject({
      address: M2,
    });
    expect(outcomes).toEqual(['silent', 'answered']);

    modes.set(M1, 'garbage');
    const reply = parseReadReply(await master.request(encodeReadRequest(M1, '02010100')));
    expect(reply.kind).toBe('data');
    if (reply.kind !== 'data') return;
    const format = PROFILE.items.find((i) => i.dataId === '02010100')?.format;
    expect(() => format && decodeDlt645Value(reply.value, format)).toThrow(/DLT645_NOT_BCD/);
  });
});
