import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { findProfile } from '../../devices/index.js';
import { loadSite, type Site } from '../../site/index.js';
import { edgeConfigSchema } from '../config/edge-config-schema.js';
import { readConfigFile } from '../../runtime/index.js';
import type { Print } from './print.js';

export interface InitOptions {
  site: string;
  gateway: string;
  siteFile?: string;
  upstream: string;
  out: string;
  force: boolean;
}

/** Writes a commented starter config; with a site file, every Modbus and MQTT device of this gateway is listed. */
export async function writeStarterConfig(options: InitOptions, print: Print): Promise<number> {
  if (existsSync(options.out) && !options.force) {
    print(`✘ ${options.out} 已存在，加 --force 覆盖 / already exists; add --force to overwrite`);
    return 1;
  }
  const site = options.siteFile ? loadSite(options.siteFile) : undefined;
  const text = starterConfig(options, site);
  // The starter must itself be valid: the same schema the gateway uses checks it.
  await writeFile(options.out, text, { mode: 0o600 });
  const parsed = edgeConfigSchema().safeParse(readConfigFile(options.out));
  if (!parsed.success) {
    print(`✘ 生成的配置无效 / generated config is invalid: ${parsed.error.message}`);
    return 1;
  }
  print(`✔ 已写入 written ${options.out}`);
  print(
    `  下一步 Next: 编辑串口和密码 / edit the serial port and password, then: edge check --config ${options.out}`,
  );
  return 0;
}

function starterConfig(options: InitOptions, site: Site | undefined): string {
  const devices = site?.devices.filter((d) => d.gateway === options.gateway) ?? [];
  const buses = (site?.buses ?? []).filter((b) => b.gateway === options.gateway);
  const busBlocks = buses
    .map((bus, i) => {
      const onBus = devices.filter((d) => d.bus === bus.id);
      if (onBus.length === 0) return '';
      if (bus.protocol !== 'modbus') {
        const protocol = bus.protocol;
        const meter = onBus.map((d) => findProfile(d.profile)).find((p) => p?.protocol === protocol);
        const line =
          meter?.protocol === 'dlt645' || meter?.protocol === 'cjt188'
            ? meter.serial
            : { baudRate: 2400, parity: 'even', dataBits: 8, stopBits: 1 };
        const what =
          protocol === 'dlt645'
            ? 'DL/T 645-2007 meters, read by nameplate address'
            : 'CJ/T 188 water meters, read by their 14-digit address';
        return `    # ${bus.description ?? bus.id}
    - id: ${bus.id}
      protocol: ${protocol}          # ${what}
      transport: serial         # serial | tcp (transparent converter: host, port)
      path: /dev/ttyUSB${i}       # ls -l /dev/serial/by-id/ shows stable names
      baudRate: ${line.baudRate}
      parity: ${line.parity}
      dataBits: ${line.dataBits}
      stopBits: ${line.stopBits}
      timeoutMs: 1500           # per request; a poll sends one per data identifier
      retries: 1
      devices:
${onBus.map((d) => `        - { id: ${d.id}, profile: ${d.profile}, address: '${d.meterAddress}', pollIntervalS: ${d.pollIntervalS} }`).join('\n')}`;
      }
      const serial = onBus.map((d) => findProfile(d.profile)).find((p) => p?.protocol === 'modbus');
      const line =
        serial?.protocol === 'modbus'
          ? serial.serial
          : { baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 };
      return `    # ${bus.description ?? bus.id}
    - id: ${bus.id}
      transport: rtu            # rtu | rtu-over-tcp | tcp
      path: /dev/ttyUSB${i}       # ls -l /dev/serial/by-id/ shows stable names
      baudRate: ${line.baudRate}
      parity: ${line.parity}
      dataBits: ${line.dataBits}
      stopBits: ${line.stopBits}
      timeoutMs: 500            # a dead meter costs the line this long per slow poll
      retries: 1
      devices:
${onBus.map((d) => `        - { id: ${d.id}, profile: ${d.profile}, unitId: ${d.unitId}, pollIntervalS: ${d.pollIntervalS} }`).join('\n')}`;
    })
    .filter(Boolean);
  const mqtt = devices.filter((d) => findProfile(d.profile)?.protocol === 'mqtt' && d.vendorId);
  return `# 乡村网关配置 / Village gateway config — ${options.site} / ${options.gateway}
# 检查 Check:  npx tsx edge/cli.ts check --config THIS_FILE
# 运行 Run:    npx tsx edge/cli.ts run --config THIS_FILE
# 环境变量覆盖 Environment overrides: EDGE_UPSTREAM_URL, EDGE_UPSTREAM_USERNAME,
# EDGE_UPSTREAM_PASSWORD, EDGE_HTTP_PORT, EDGE_LAN_PORT, EDGE_DATA_DIR
site: ${options.site}
gateway: ${options.gateway}
upstream:
  url: ${options.upstream}     # 县级平台的 MQTT 地址 / the platform's broker
  username: ${options.gateway}
  password: change-me          # 由平台管理员提供 / from the platform administrator
lan:
  enabled: ${mqtt.length > 0}
  host: 127.0.0.1              # 改为网关的局域网地址 / the gateway's LAN address, never the 4G side
  port: 1884                   # 设备凭据 device credentials: edge/cli.ts lan add <device> --config THIS_FILE
http:
  host: 0.0.0.0                # 状态页 / status page: http://GATEWAY:9103/
  port: 9103
dataDir: /var/lib/village-gateway
healthIntervalS: 60
publish:
  mode: batch                  # 4G 上行省流量 / saves bytes on a 4G uplink
  batchIntervalMs: 5000
buffer:                        # 断网时缓存到存储卡 / kept on the card while the uplink is down
  maxBytes: 536870912          # 512 MiB
  reserveBytes: 268435456      # 保留 256 MiB 空闲 / keep this much of the card free
  flushIntervalMs: 250         # 断电最多丢失这段时间的数据 / a power cut loses at most this window
modbus:
  offlineAfterFailures: 3
  offlinePollIntervalS: 60
  buses:${
    busBlocks.length
      ? `\n${busBlocks.join('\n')}`
      : ` []
    # - id: bus-1
    #   transport: rtu
    #   path: /dev/ttyUSB0
    #   baudRate: 9600
    #   devices:
    #     - { id: hall-power, profile: eastron-sdm120, unitId: 1, pollIntervalS: 10 }`
  }
mqttDevices:${mqtt.length ? `\n${mqtt.map((d) => `  - { id: ${d.id}, profile: ${d.profile}, vendorId: ${d.vendorId} }`).join('\n')}` : ' []'}
`;
}
