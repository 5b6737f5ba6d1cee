import { mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeReading, getModbusProfile } from '../../devices/index.js';
import {
  Cjt188Line,
  Dlt645Line,
  startPtyPair,
  type PtyPair,
  type SerialSettings,
} from '../../firmware-sim/index.js';
import { CJT188_PROFILE, simulatedWaterMeter } from './support/cjt188-meters.js';
import { DLT645_PROFILE, NOON_CLOCK, simulatedMeter } from './support/dlt645-meters.js';
import { testLogger } from './support/gateway-harness.js';
import { RtuResponder } from './support/rtu-responder.js';
import { SerialRtuSlave } from './support/rtu-slave.js';
import { runCli } from '../../test/support/index.js';

const line = (baudRate: number, parity: SerialSettings['parity']): SerialSettings => ({
  baudRate,
  parity,
  dataBits: 8,
  stopBits: 1,
});

/*
 * Meters left at settings the technician does not know, each on a real pty pair
 * (socat). A simulated meter answers only when the master opened the line at its baud
 * rate, read from the master's end with stty. A pty carries no parity (the kernel
 * clears PARENB on every pty), so here a meter answers at its baud rate whatever the
 * parity: the sweep must still try every parity there and report each answer with
 * the setting it came at; on a real line only the meter's own parity answers.
 */
describe('line discovery: scan --baud auto --parity auto', () => {
  const modbusUnits = new Map<number, SerialSettings>([
    [3, line(19200, 'none')],
    [7, line(4800, 'odd')],
    [12, line(38400, 'even')],
  ]);
  const ptys: PtyPair[] = [];
  let modbusLine: PtyPair;
  let dltLine: PtyPair;
  let waterLine: PtyPair;
  let rtu: SerialRtuSlave;
  let dlt645: Dlt645Line;
  let water: Cjt188Line;
  const WATER = '00000020250007';
  const DLT = '000020250042';

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) ptys.push(await startPtyPair());
    [modbusLine, dltLine, waterLine] = ptys as [PtyPair, PtyPair, PtyPair];
    const responder = new RtuResponder();
    const sdm120 = getModbusProfile('eastron-sdm120');
    for (const unit of modbusUnits.keys()) {
      responder.serve(unit, encodeReading(sdm120, { voltage_v: 230 + unit, frequency_hz: 50 }));
    }
    rtu = new SerialRtuSlave(responder, modbusLine.a, {
      masterPath: modbusLine.b,
      of: (unit) => modbusUnits.get(unit),
    });
    dlt645 = new Dlt645Line({
      meters: [{ ...simulatedMeter(DLT, 2000), serial: line(1200, 'even') }],
      line: { path: dltLine.a, serial: DLT645_PROFILE.serial },
      masterPath: dltLine.b,
      logger: testLogger,
      clock: NOON_CLOCK,
    });
    water = new Cjt188Line({
      meters: [simulatedWaterMeter(WATER, undefined, { serial: line(9600, 'even') })],
      line: { path: waterLine.a, serial: CJT188_PROFILE.serial },
      masterPath: waterLine.b,
      logger: testLogger,
      clock: NOON_CLOCK,
    });
    await Promise.all([rtu.start(), dlt645.start(), water.start()]);
  });

  afterAll(async () => {
    await Promise.all([rtu?.stop(), dlt645?.stop(), water?.stop()]);
    for (const pty of ptys) await pty.stop();
  });

  it('finds each Modbus meter at its own baud rate and parity, with progress and time left', async () => {
    const { code, out } = await runCli(
      'scan',
      '--rtu',
      modbusLine.b,
      '--baud',
      'auto',
      '--parity',
      'auto',
      '--ids',
      '1-12',
      // Generous: on a loaded box an answer can take longer than a quiet line's 150 ms, and is then missed.
      '--timeout',
      '300',
      '--table',
      'input',
    );
    expect(code, out).toBe(0);
    expect(out).toContain('18 种设置 settings × 地址 unit ids 1-12');
    expect(out).toMatch(/^\[1\/216\] 9600 8N1 unit 1 · 0 个应答 answered$/m);
    expect(out).toMatch(
      /^\[\d+\/216\] \d+ 8[NEO]1 unit \d+ · \d 个应答 answered · 剩余约 time left \d+ 秒 \/ \d+ s$/m,
    );
    const answers = out
      .split('\n')
      .filter((l) => /^ {2}\d+ 8[NEO]1\s+\d+\s+✔/.test(l))
      .map((l) => l.trim().replace(/\s+/g, ' ').split(' ').slice(0, 3).join(' '));
    const expected = [...modbusUnits].flatMap(([unit, own]) =>
      ['N', 'E', 'O'].map((p) => `${own.baudRate} 8${p}1 ${unit}`),
    );
    expect(answers.sort()).toEqual(expected.sort());
    for (const [unit, own] of modbusUnits) {
      const setting = `${own.baudRate} 8${own.parity[0]!.toUpperCase()}1`;
      expect(out).toMatch(new RegExp(`^  ✔ ${setting}: unit ${unit}$`, 'm'));
    }
    expect(out).toContain('共 9 个应答 / 9 unit id(s) answered:');
  }, 240_000);

  it('--fast stops at the first answer', async () => {
    const { code, out } = await runCli(
      'scan',
      '--rtu',
      modbusLine.b,
      '--baud',
      '19200,4800',
      '--parity',
      'odd',
      '--ids',
      '1-12',
      '--timeout',
      '300',
      '--fast',
    );
    expect(code, out).toBe(0);
    expect(out).toContain(
      '2 种设置 settings × 地址 unit ids 1-12, timeout 300 ms, 找到即停 stop at the first answer',
    );
    expect(out).toMatch(/^ {2}✔ 19200 8O1: unit 3$/m);
    expect(out).toContain('共 1 个应答 / 1 unit id(s) answered');
    expect(out).not.toMatch(/4800 8O1\s+7/);
  }, 60_000);

  it('finds a DL/T 645 meter left at 1200 baud, and a CJ/T 188 water meter at 9600', async () => {
    const dlt = await runCli(
      'scan',
      '--protocol',
      'dlt645',
      '--rtu',
      dltLine.b,
      '--baud',
      'auto',
      '--timeout',
      '600',
    );
    expect(dlt.code, dlt.out).toBe(0);
    expect(dlt.out).toContain('4 种设置 settings, 读地址 read address');
    expect(dlt.out).toMatch(new RegExp(`^  1200 8E1\\s+✔ 应答 answers: 表地址 meter address ${DLT}$`, 'm'));
    expect(dlt.out).toMatch(new RegExp(`^  ✔ 1200 8E1: meter ${DLT}$`, 'm'));
    expect(dlt.out).toContain('共 1 个应答 / 1 meter(s) answered');

    const cjt = await runCli(
      'scan',
      '--protocol',
      'cjt188',
      '--rtu',
      waterLine.b,
      '--baud',
      'auto',
      '--timeout',
      '600',
    );
    expect(cjt.code, cjt.out).toBe(0);
    expect(cjt.out).toMatch(
      new RegExp(`^  ✔ 9600 8E1: meter ${WATER} \\(T=10 冷水水表 cold water meter\\)$`, 'm'),
    );
    expect(cjt.out).toContain('共 1 个应答 / 1 meter(s) answered');
  }, 60_000);

  it('refuses line discovery through a TCP converter, which sets its line itself', async () => {
    const { code, out } = await runCli('scan', '--tcp', '127.0.0.1:1', '--baud', 'auto');
    expect(code).toBe(2);
    expect(out).toContain('line discovery (--baud, --parity lists or auto) needs a serial port (--rtu)');
  });

  it('ports lists a port under its stable by-id name, and says this user may open it', async () => {
    const byId = await mkdtemp(join(tmpdir(), 'by-id-'));
    try {
      const name = 'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0';
      await symlink(modbusLine.b, join(byId, name));
      const target = await realpath(modbusLine.b);
      const { code, out } = await runCli('ports', '--by-id-dir', byId);
      expect(code, out).toBe(0);
      expect(out).toContain('稳定名称 Stable name');
      expect(out).toMatch(new RegExp(`^${target}\\s+${join(byId, name)}\\s+—\\s+✔ 可读写 read/write$`, 'm'));
    } finally {
      await rm(byId, { recursive: true, force: true });
    }
  });
});
