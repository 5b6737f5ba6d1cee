import { statfs } from 'node:fs/promises';
import { connectAsync } from 'mqtt';
import { gatewayClientId } from '../../contracts/index.js';
import { isCodedError } from '../../runtime/index.js';
import { describeCode } from '../errors.js';
import { ntpSynchronized } from '../platform/ntp-state.js';
import { fetchPlatformFeedback } from '../platform/platform-feedback.js';
import type { EdgeConfig } from '../config/edge-config-schema.js';
import { loadEdgeConfig } from '../config/load-edge-config.js';
import { createBusLine } from '../poll/bus-line.js';
import { cliLogger, type Print } from './print.js';
import { explainError } from './text.js';

export interface CheckOptions {
  skipUpstream: boolean;
}

/**
 * Validates a config file, then reads every polled device (Modbus, DL/T 645) once and tries the uplink.
 * Exit code: 0 all good, 1 something failed, 2 the config itself is invalid.
 */
export async function checkConfig(file: string, options: CheckOptions, print: Print): Promise<number> {
  let config: EdgeConfig;
  try {
    config = loadEdgeConfig({ file });
  } catch (error) {
    const detail = isCodedError(error) ? (error.detail ?? '') : (error as Error).message;
    print(`✘ ${explainError('CONFIG_INVALID', undefined)}\n  ${file}:${detail}`);
    return 2;
  }
  const count = (protocol: string) =>
    config.modbus.buses.reduce((n, bus) => n + (bus.protocol === protocol ? bus.devices.length : 0), 0);
  const dlt645Count = count('dlt645');
  const dlt645 = dlt645Count > 0 ? `, ${dlt645Count} 台 DL/T 645 电表 meter(s)` : '';
  print(
    `✔ 配置有效 / configuration valid: ${config.site}/${config.gateway}, ${config.modbus.buses.length} 条总线 bus(es), ${count('modbus')} 台 Modbus 设备 device(s)${dlt645}, ${config.mqttDevices.length} 台 MQTT 设备 device(s)`,
  );
  let failures = 0;
  for (const bus of config.modbus.buses) {
    const line = createBusLine(bus, cliLogger);
    print(`总线 Bus ${bus.id} (${line.description})`);
    try {
      for (const { device, reader } of line.devices) {
        const label = `${device.id} (${reader.label}, ${device.profile})`;
        const started = performance.now();
        try {
          const reading = await line.scheduler.run(() =>
            reader.read(device.timeoutMs ?? bus.timeoutMs, () => undefined),
          );
          const ms = Math.round(performance.now() - started);
          const fields = Object.keys(reading.values).length;
          const bad = reading.errors.length ? `, ${reading.errors.length} 个字段无效 invalid field(s)` : '';
          print(`  ✔ ${label}: ${fields} 个读数 values${bad}, ${ms} ms`);
          if (reading.errors.length) failures++;
        } catch (error) {
          failures++;
          const coded = reader.codeError(error, device.id);
          print(`  ✘ ${label}: ${explainError(coded.code, coded.detail)}`);
        }
      }
    } finally {
      await line.close();
    }
  }
  if (config.mqttDevices.length) {
    print(
      `· ${config.mqttDevices.length} 台 MQTT 设备需在状态页查看 / MQTT devices report by themselves: watch the status page`,
    );
  }
  if (!options.skipUpstream) failures += await checkUpstream(config, print);
  failures += await checkClockAndPlatform(config, print);
  await reportDisk(config, print);
  print(failures === 0 ? '全部正常 / all checks passed' : `${failures} 项失败 / ${failures} check(s) failed`);
  return failures === 0 ? 0 : 1;
}

async function checkUpstream(config: EdgeConfig, print: Print): Promise<number> {
  const { url, username, password, clientId } = config.upstream;
  try {
    // Its own client id: reusing the gateway's would throw a running gateway off the broker.
    const client = await connectAsync(url, {
      clientId: `${clientId ?? gatewayClientId(config.site, config.gateway)}-check`.slice(0, 64),
      username,
      password,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
    });
    await client.endAsync();
    print(`✔ 上行 Uplink ${url}: 已连接 connected`);
    return 0;
  } catch (error) {
    print(`✘ 上行 Uplink ${url}: 无法连接 cannot connect — ${(error as Error).message}`);
    return 1;
  }
}

/** Ingest refuses readings stamped more than this far ahead (CLOCK_SKEW, docs/clock-policy.md). */
const CLOCK_LIMIT_MS = 300_000;

/**
 * The clock (NTP as the system reports it; the offset against the platform's clock)
 * and what the platform refused of this gateway's messages. Returns the failures.
 */
async function checkClockAndPlatform(config: EdgeConfig, print: Print): Promise<number> {
  let failures = 0;
  const ntp = await ntpSynchronized();
  if (ntp === true) print('✔ 时钟 Clock: NTP 已同步 / synchronised');
  else if (ntp === false) {
    failures++;
    print('✘ 时钟 Clock: NTP 未同步 / not synchronised — sudo timedatectl set-ntp true');
  } else print('· 时钟 Clock: NTP 状态未知（无 timedatectl）/ NTP state unknown (no timedatectl)');
  if (!config.platform) {
    print(
      '· 未配置平台 platform.url：无法检查时钟偏差和平台拒收 / no platform configured: clock offset and refusals not checked',
    );
    return failures;
  }
  const state = await fetchPlatformFeedback(config.platform, 10_000);
  if (state.error || state.clockOffsetMs === undefined) {
    print(`✘ 平台 Platform ${config.platform.url}: 无法查询 / cannot ask — ${state.error ?? 'no answer'}`);
    return failures + 1;
  }
  const offsetS = (-state.clockOffsetMs / 1000).toFixed(1);
  if (Math.abs(state.clockOffsetMs) > CLOCK_LIMIT_MS) {
    failures++;
    print(
      `✘ 时钟与平台相差 ${offsetS} s / clock ${offsetS} s off the platform's: 平台拒收超过 5 分钟的数据 (CLOCK_SKEW) / the platform refuses readings more than 5 minutes off`,
    );
  } else print(`✔ 时钟与平台相差 ${offsetS} s / clock offset against the platform ${offsetS} s`);
  if (state.rejections.length === 0)
    print('✔ 平台未拒收本网关数据 / the platform refused nothing of this gateway');
  for (const refusal of state.rejections) {
    failures++;
    const words = describeCode(refusal.code);
    print(
      `✘ 平台拒收 refused ×${refusal.count}: ${refusal.device ?? '—'} [${refusal.code}] ${words ? `${words.zh} / ${words.en}` : ''}\n      ${refusal.reason}`,
    );
  }
  return failures;
}

async function reportDisk(config: EdgeConfig, print: Print): Promise<void> {
  try {
    const stats = await statfs(config.dataDir);
    const free = stats.bavail * stats.bsize;
    const ok = free > config.buffer.reserveBytes;
    print(
      `${ok ? '✔' : '!'} 数据目录 Data dir ${config.dataDir}: ${(free / 2 ** 20).toFixed(0)} MiB 可用 free (保留 reserve ${(config.buffer.reserveBytes / 2 ** 20).toFixed(0)} MiB)`,
    );
  } catch {
    print(
      `· 数据目录 Data dir ${config.dataDir}: 尚不存在，启动时创建 / does not exist yet, created at start`,
    );
  }
}
