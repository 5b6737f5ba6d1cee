import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE, encodeReading, protocolAddress, type ModbusProfile } from '../../devices/index.js';
import {
  Cjt188Line,
  createDeviceModel,
  deviceRandom,
  Dlt645Line,
  NORMAL_CONDITIONS,
  startPtyPair,
  type PtyPair,
} from '../../firmware-sim/index.js';
import { DEMO_SITE_FILE, SiteRegistry } from '../../site/index.js';
import { CJT188_PROFILE, simulatedWaterMeter } from './support/cjt188-meters.js';
import { DLT645_PROFILE, NOON_CLOCK, simulatedMeter } from './support/dlt645-meters.js';
import { testLogger } from './support/gateway-harness.js';
import { RtuResponder } from './support/rtu-responder.js';
import { SerialRtuSlave } from './support/rtu-slave.js';
import { runCli, runCliWithInput } from '../../test/support/index.js';

const MODBUS = CATALOGUE.filter((p): p is ModbusProfile => p.protocol === 'modbus');
/** Unit id of the simulated meter of each Modbus profile: 10, 11, … */
const unitOf = (profile: ModbusProfile) => 10 + MODBUS.indexOf(profile);
const SDM120_UNIT = 9;
const DLT = '000020250042';
const WATER = '00000020250007';
const NEW_WATER = '00000020250099';

/**
 * One simulated meter of every Modbus profile in the catalogue on one serial line,
 * serving what the simulator's models give at noon; a DL/T 645 line and a CJ/T 188
 * line with one meter each. `identify` must rank the meter's own profile first.
 */
describe('identify and set-address on serial lines', () => {
  const ptys: PtyPair[] = [];
  const responder = new RtuResponder();
  let modbus: PtyPair;
  let dltPty: PtyPair;
  let waterPty: PtyPair;
  let rtu: SerialRtuSlave;
  let dlt645: Dlt645Line;
  let water: Cjt188Line;

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) ptys.push(await startPtyPair());
    [modbus, dltPty, waterPty] = ptys as [PtyPair, PtyPair, PtyPair];
    const site = SiteRegistry.fromFile(DEMO_SITE_FILE);
    for (const profile of MODBUS) {
      const registered = site.all().find((r) => r.profile.id === profile.id);
      if (!registered) throw new Error(`the demo site has no ${profile.id} to model`);
      const model = createDeviceModel(registered, {
        clock: NOON_CLOCK,
        random: deviceRandom(3, profile.id),
        utcOffsetMinutes: 480,
      });
      responder.serve(unitOf(profile), encodeReading(profile, model.read(NORMAL_CONDITIONS)));
    }
    const sdm120 = MODBUS.find((p) => p.id === 'eastron-sdm120')!;
    const own = sdm120.unitIdRegister!;
    const image = encodeReading(sdm120, { voltage_v: 231, frequency_hz: 50 });
    const idWords = [0x4110, 0x0000]; // 9.0 as float32, high word first
    idWords.forEach((w, i) => image.set('holding', protocolAddress(sdm120, own.at) + i, w));
    responder.serve(SDM120_UNIT, image, 'normal', {
      address: protocolAddress(sdm120, own.at),
      type: own.type,
    });
    rtu = new SerialRtuSlave(responder, modbus.a);
    dlt645 = new Dlt645Line({
      meters: [simulatedMeter(DLT, 2000)],
      line: { path: dltPty.a, serial: DLT645_PROFILE.serial },
      logger: testLogger,
      clock: NOON_CLOCK,
    });
    water = new Cjt188Line({
      meters: [simulatedWaterMeter(WATER)],
      line: { path: waterPty.a, serial: CJT188_PROFILE.serial },
      logger: testLogger,
      clock: NOON_CLOCK,
    });
    await Promise.all([rtu.start(), dlt645.start(), water.start()]);
  });

  afterAll(async () => {
    await Promise.all([rtu?.stop(), dlt645?.stop(), water?.stop()]);
    for (const pty of ptys) await pty.stop();
  });

  it.each(MODBUS.map((p) => [p.id, p] as const))(
    'identify ranks %s first for its own meter, with the values that made it plausible',
    async (id, profile) => {
      const { code, out } = await runCli(
        'identify',
        '--rtu',
        modbus.b,
        '--unit',
        String(unitOf(profile)),
        '--timeout',
        '1000',
      );
      expect(code, out).toBe(0);
      const ranked = out.split('\n').filter((l) => /^\d+\. /.test(l));
      expect(ranked[0], out).toMatch(new RegExp(`^1\\. ${id} `));
      expect(out).toMatch(/^ {5}\S+ = \S+ .* — .+ \/ .+$/m);
      expect(out).toContain(`下一步 Next: probe --unit ${unitOf(profile)} --profile ${id}`);
    },
    30_000,
  );

  it('identify names a voltage near 230 V and a frequency near 50 Hz as the reasons', async () => {
    const { out } = await runCli('identify', '--rtu', modbus.b, '--unit', '10', '--timeout', '1000');
    expect(out).toMatch(/voltage_v = 2\d\d(\.\d+)? V 伏 — 电压接近 230 V \/ a voltage near 230 V/);
    expect(out).toMatch(/frequency_hz = (49|50)(\.\d+)? Hz 赫兹 — 频率接近 50 Hz \/ a frequency near 50 Hz/);
  }, 30_000);

  it('identify reads the address of the one DL/T 645 or CJ/T 188 meter on a line and ranks its profile', async () => {
    const dlt = await runCli('identify', '--protocol', 'dlt645', '--rtu', dltPty.b, '--timeout', '1000');
    expect(dlt.code, dlt.out).toBe(0);
    expect(dlt.out).toContain(`识别 Identifying meter ${DLT}`);
    expect(dlt.out).toMatch(new RegExp(`^1\\. ${DLT645_PROFILE.id} `, 'm'));
    const cjt = await runCli('identify', '--protocol', 'cjt188', '--rtu', waterPty.b, '--timeout', '1000');
    expect(cjt.code, cjt.out).toBe(0);
    expect(cjt.out).toContain(`识别 Identifying meter ${WATER} (T=10 冷水水表)`);
    expect(cjt.out).toMatch(new RegExp(`^1\\. ${CJT188_PROFILE.id} `, 'm'));
    expect(cjt.out).toMatch(/forward_total_m3 = \d+(\.\d+)? m³ 立方米 — 有用水累计 \/ a water total/);
  }, 30_000);

  it('set-address asks first, and changes nothing on a no', async () => {
    const args = [
      'set-address',
      '--rtu',
      modbus.b,
      '--from',
      String(SDM120_UNIT),
      '--to',
      '17',
      '--profile',
      'eastron-sdm120',
    ];
    const no = await runCliWithInput('n\n', ...args);
    expect(no.code, no.out).toBe(1);
    expect(no.out).toContain(`Change unit id ${SDM120_UNIT} to 17? [y/N]`);
    expect(no.out).toContain('未修改 / not changed');
    expect(responder.unitIds).toContain(SDM120_UNIT);
  }, 30_000);

  it('set-address changes a Modbus meter’s unit id and reads it back at the new one', async () => {
    const args = [
      'set-address',
      '--rtu',
      modbus.b,
      '--from',
      String(SDM120_UNIT),
      '--to',
      '17',
      '--profile',
      'eastron-sdm120',
    ];
    const yes = await runCliWithInput('y\n', ...args);
    expect(yes.code, yes.out).toBe(0);
    expect(yes.out).toContain(`unit ${SDM120_UNIT} (寄存器 register 20 = ${SDM120_UNIT})`);
    expect(yes.out).toContain('✔ 已修改并回读 / changed and read back: unit 17');
    expect(responder.unitIds).toContain(17);
    expect(responder.unitIds).not.toContain(SDM120_UNIT);
    const scan = await runCli('scan', '--rtu', modbus.b, '--ids', `${SDM120_UNIT},17`, '--timeout', '500');
    expect(scan.out).toContain('共 1 个地址应答 / 1 unit id(s) answered: 17');
  }, 30_000);

  it('set-address refuses a profile that does not say where its id is kept', async () => {
    const { code, out } = await runCli(
      'set-address',
      '--rtu',
      modbus.b,
      '--from',
      '10',
      '--to',
      '18',
      '--profile',
      'tuf-2000m',
      '--yes',
    );
    expect(code).toBe(2);
    expect(out).toContain("set it on the meter's menu");
  }, 30_000);

  it('set-address gives a CJ/T 188 meter a new address and reads it back there', async () => {
    const { code, out } = await runCli(
      'set-address',
      '--protocol',
      'cjt188',
      '--rtu',
      waterPty.b,
      '--from',
      WATER,
      '--to',
      NEW_WATER,
      '--profile',
      CJT188_PROFILE.id,
      '--yes',
      '--timeout',
      '1000',
    );
    expect(code, out).toBe(0);
    expect(out).toContain(`✔ 已修改并回读 / changed and read back: 表地址 meter ${NEW_WATER}`);
    expect(water.addresses).toEqual([NEW_WATER]);
    const old = await runCli(
      'probe',
      '--protocol',
      'cjt188',
      '--rtu',
      waterPty.b,
      '--address',
      WATER,
      '--profile',
      CJT188_PROFILE.id,
      '--timeout',
      '200',
    );
    expect(old.out).toContain('[CJT188_TIMEOUT]');
  }, 30_000);
});
