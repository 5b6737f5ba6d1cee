import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { encodeReading, getModbusProfile } from '../../devices/index.js';
import { DEMO_SITE_FILE, loadSite } from '../../site/index.js';
import { loadEdgeConfig } from '../index.js';
import { ModbusTestServer } from './support/modbus-test-server.js';
import { UpstreamBroker } from './support/upstream-broker.js';
import { runCli } from '../../test/support/index.js';
import { tempDir } from './support/gateway-harness.js';
import Fastify from 'fastify';
import { registerFeedbackRoute, RejectionBoard, SiteDirectory } from '../../ingest/index.js';
import { createLogger } from '../../runtime/index.js';
import { enrolmentTokenSchema, hashEnrolmentToken } from '../../site/index.js';

const sdm120 = getModbusProfile('eastron-sdm120');

const cli = runCli;

describe('technician CLI', () => {
  const server = new ModbusTestServer();
  const upstream = new UpstreamBroker();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let tcp: string;

  beforeAll(async () => {
    dir = await tempDir();
    server.silentUnlessServed = true;
    await Promise.all([server.start(), upstream.start()]);
    server.serve(2, encodeReading(sdm120, { voltage_v: 229.5, current_a: 4.25, frequency_hz: 50 }));
    server.serve(4, encodeReading(sdm120, { voltage_v: 231, current_a: 1 }));
    tcp = `127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await Promise.all([server.stop(), upstream.stop()]);
    await dir?.remove();
  });

  it('scan reports which unit ids answer', async () => {
    const { code, out } = await cli(
      'scan',
      '--tcp',
      tcp,
      '--ids',
      '1-5',
      '--timeout',
      '100',
      '--table',
      'input',
    );
    expect(code).toBe(0);
    expect(out).toMatch(/^\s+2\s+✔ 应答 answers: register 0 = 0x4365/m);
    expect(out).toMatch(/^\s+4\s+✔ 应答 answers/m);
    expect(out).toContain('共 2 个地址应答 / 2 unit id(s) answered: 2, 4');
    expect(out).toContain('无应答 / silent: 1, 3, 5');
  });

  it('probe prints decoded values with units, and raw words with --raw', async () => {
    const { code, out } = await cli('probe', '--tcp', tcp, '--unit', '2', '--profile', sdm120.id, '--raw');
    expect(code).toBe(0);
    expect(out).toContain('Eastron SDM120-Modbus');
    expect(out).toMatch(/^voltage_v\s+229\.5\s+V 伏\s+FC04 0 \(0x0000\)\s+0x4365 0x8000$/m);
    expect(out).toMatch(/^current_a\s+4\.25\s+A 安/m);
    expect(out).toMatch(/^frequency_hz\s+50\s+Hz 赫兹/m);

    const dead = await cli('probe', '--tcp', tcp, '--unit', '9', '--profile', sdm120.id, '--timeout', '100');
    expect(dead.code).toBe(1);
    expect(dead.out).toContain('[MODBUS_TIMEOUT] Modbus 读取超时');
    expect(dead.out).toContain('Modbus read timed out: check wiring, unit id and baud rate');
  });

  it('check reads every device once, explains each failure in both languages, and exits non-zero', async () => {
    const file = join(dir.path, 'edge.yaml');
    await writeFile(
      file,
      stringify({
        site: 'test-site',
        gateway: 'gw-test',
        upstream: { url: upstream.url },
        dataDir: dir.path,
        modbus: {
          buses: [
            server.bus(
              [
                { id: 'meter-good', profile: sdm120.id, unitId: 2 },
                { id: 'meter-dead', profile: sdm120.id, unitId: 7 },
              ],
              { timeoutMs: 100 },
            ),
          ],
        },
      }),
    );
    const { code, out } = await cli('check', '--config', file);
    expect(code).toBe(1);
    expect(out).toContain(
      '✔ 配置有效 / configuration valid: test-site/gw-test, 1 条总线 bus(es), 2 台 Modbus 设备',
    );
    expect(out).toMatch(/✔ meter-good \(unit 2, eastron-sdm120\): 7 个读数 values, \d+ ms/);
    expect(out).toContain(
      '✘ meter-dead (unit 7, eastron-sdm120): [MODBUS_TIMEOUT] Modbus 读取超时：检查接线、地址和波特率',
    );
    expect(out).toContain('Modbus read timed out: check wiring, unit id and baud rate');
    expect(out).toContain(`✔ 上行 Uplink ${upstream.url}: 已连接 connected`);
    expect(out).toContain('1 项失败 / 1 check(s) failed');

    const bad = join(dir.path, 'bad.yaml');
    await writeFile(bad, stringify({ site: 'Test Site', gateway: 'gw-test', upstream: { url: 'http://x' } }));
    const invalid = await cli('check', '--config', bad);
    expect(invalid.code).toBe(2);
    expect(invalid.out).toContain('[CONFIG_INVALID] 配置无效');
    expect(invalid.out).toMatch(/- site .*must be 1-63 chars/);
    expect(invalid.out).toMatch(/- upstream\.url .*mqtt:\/\//);
  });

  it('check tells the clock state and what the platform refused of this gateway', async () => {
    const token = 'gateway-token-0123456789abcdef';
    const rejections = new RejectionBoard();
    rejections.note('v1/test-site/gw-test/meter-good/telemetry', {
      code: 'DEVICE_UNKNOWN',
      reason: 'device "meter-good" is not registered for site "test-site"',
      issues: [],
      payload: Buffer.from('{}'),
    });
    const platform = Fastify();
    registerFeedbackRoute(platform, {
      tokens: [enrolmentTokenSchema.parse(`test-site/gw-test/${hashEnrolmentToken(token)}`)],
      siteFiles: [],
      sites: new SiteDirectory([]),
      rejections,
      logger: createLogger('test', { level: 'silent' }),
    });
    await platform.listen({ host: '127.0.0.1', port: 0 });
    try {
      const file = join(dir.path, 'platform.yaml');
      const address = platform.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      await writeFile(
        file,
        stringify({
          site: 'test-site',
          gateway: 'gw-test',
          upstream: { url: upstream.url },
          dataDir: dir.path,
          platform: { url: `http://127.0.0.1:${port}`, token },
        }),
      );
      const { code, out } = await cli('check', '--config', file, '--skip-upstream');
      expect(code).toBe(1);
      expect(out).toMatch(/^[✔✘·] 时钟 Clock: NTP/m);
      expect(out).toMatch(/^✔ 时钟与平台相差 -?0\.\d s/m);
      expect(out).toContain(
        '✘ 平台拒收 refused ×1: meter-good [DEVICE_UNKNOWN] 未登记的设备 / Device is not registered for this site',
      );
      await writeFile(
        file,
        stringify({
          site: 'test-site',
          gateway: 'gw-test',
          upstream: { url: upstream.url },
          dataDir: dir.path,
          platform: { url: `http://127.0.0.1:${port}`, token: 'not-the-gateway-token' },
        }),
      );
      const refused = await cli('check', '--config', file, '--skip-upstream');
      expect(refused.out).toContain('无法查询 / cannot ask — HTTP 401');
    } finally {
      await platform.close();
    }
  });

  it('init writes a valid, commented starter config listing the gateway’s devices', async () => {
    const out = join(dir.path, 'starter.yaml');
    const result = await cli(
      'init',
      '--site',
      'demo-village',
      '--gateway',
      'gw-center',
      '--site-file',
      DEMO_SITE_FILE,
      '--out',
      out,
    );
    expect(result.code).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(text).toContain('# 乡村网关配置 / Village gateway config');
    const config = loadEdgeConfig({ file: out });
    const site = loadSite(DEMO_SITE_FILE);
    const expected = site.devices
      .filter((d) => d.gateway === 'gw-center')
      .map((d) => d.id)
      .sort();
    const listed = [
      ...config.modbus.buses.flatMap((b) => b.devices.map((d) => d.id)),
      ...config.mqttDevices.map((d) => d.id),
    ];
    expect(listed.sort()).toEqual(expected);
    expect(
      config.modbus.buses.every((b) => b.transport === (b.protocol === 'dlt645' ? 'serial' : 'rtu')),
    ).toBe(true);
    const meters = site.devices.filter((d) => d.meterAddress !== undefined);
    const dlt645 = config.modbus.buses.find((b) => b.protocol === 'dlt645');
    expect(dlt645?.devices.map((d) => ('address' in d ? d.address : undefined))).toEqual(
      meters.map((d) => d.meterAddress),
    );
    expect((await cli('init', '--site', 'demo-village', '--gateway', 'gw-center', '--out', out)).code).toBe(
      1,
    );
  });

  it('explains every command in Chinese and English', async () => {
    for (const command of [
      'ports',
      'scan',
      'identify',
      'probe',
      'set-address',
      'add',
      'check',
      'run',
      'init',
    ]) {
      const { code, out } = await cli(command, '--help');
      expect(code, command).toBe(0);
      expect(out, command).toContain('用法 Usage:');
      expect(out, command).toContain('显示帮助 / show help');
      expect(out, command).toMatch(/[\u4e00-\u9fff][^\n]*\/ [A-Z][a-z]/);
    }
  }, 120_000);
});
