import { Option, type Command } from 'commander';
import type { z } from 'zod';
import {
  busSchema,
  cjt188BusSchema,
  dlt645BusSchema,
  type BusConfig,
  type Cjt188BusConfig,
  type Dlt645BusConfig,
} from '../config/edge-config-schema.js';
import type { LineSetting } from './line-sweep.js';

export interface BusOptions {
  protocol?: string;
  tcp?: string;
  rtu?: string;
  rtuOverTcp?: string;
  baud?: string;
  parity?: string;
  dataBits: string;
  stopBits: string;
  timeout: string;
}

export type BusProtocol = 'modbus' | 'dlt645' | 'cjt188';

/** Factory line settings: Modbus meters ship at 9600 8N1, DL/T 645 and CJ/T 188 meters at 2400 8E1. */
export const LINE_DEFAULTS: Readonly<Record<BusProtocol, LineSetting>> = {
  modbus: { baudRate: 9600, parity: 'none' },
  dlt645: { baudRate: 2400, parity: 'even' },
  cjt188: { baudRate: 2400, parity: 'even' },
};

/** The options every command that talks to a bus directly takes. */
export function addBusOptions(command: Command, defaultTimeoutMs: number): Command {
  return command
    .addOption(
      new Option('--protocol <protocol>', '总线协议 / bus protocol')
        .choices(['modbus', 'dlt645', 'cjt188'])
        .default('modbus'),
    )
    .option(
      '--tcp <host:port>',
      'Modbus TCP 地址（dlt645、cjt188：透传模块）/ Modbus TCP host:port (port defaults to 502; dlt645, cjt188: transparent converter)',
    )
    .option('--rtu <path>', 'RS-485 串口，如 /dev/ttyUSB0 / serial port, e.g. /dev/ttyUSB0')
    .option('--rtu-over-tcp <host:port>', '透传型 TCP 转 485 模块 / transparent TCP→RS-485 converter')
    .option(
      '--baud <rate>',
      '波特率，默认 Modbus 9600、DL/T 645 与 CJ/T 188 2400 / baud rate (default 9600; dlt645, cjt188 2400)',
    )
    .option(
      '--parity <parity>',
      '校验位 none|even|odd，默认 Modbus none、DL/T 645 与 CJ/T 188 even / parity (default none; dlt645, cjt188 even)',
    )
    .option('--data-bits <bits>', '数据位 / data bits', '8')
    .option('--stop-bits <bits>', '停止位 / stop bits', '1')
    .option('--timeout <ms>', '每次读取超时（毫秒）/ timeout per read, ms', String(defaultTimeoutMs));
}

/** A one-bus Modbus config from the command line, validated by the same schema as the config file. */
export function busFromOptions(options: BusOptions): BusConfig {
  const input = busInput(options, 'modbus');
  return parseBus(busSchema(), input);
}

/**
 * A one-bus DL/T 645 or CJ/T 188 config (`--protocol dlt645|cjt188`): `--rtu` is a
 * serial port, `--tcp`/`--rtu-over-tcp` a transparent converter.
 */
export function meterLineBusFromOptions(options: BusOptions): Dlt645BusConfig | Cjt188BusConfig {
  if (options.protocol === 'cjt188') return cjt188BusFromOptions(options);
  return parseBus(dlt645BusSchema(), busInput(options, 'dlt645'));
}

/** A CJ/T 188 line (`--protocol cjt188`). */
export function cjt188BusFromOptions(options: BusOptions): Cjt188BusConfig {
  return parseBus(cjt188BusSchema(), busInput(options, 'cjt188'));
}

/** The same bus at another line setting (line discovery). */
export function atSetting(options: BusOptions, setting: LineSetting): BusOptions {
  return { ...options, baud: String(setting.baudRate), parity: setting.parity };
}

function busInput(options: BusOptions, protocol: BusProtocol): Record<string, unknown> {
  const chosen = [options.tcp, options.rtu, options.rtuOverTcp].filter(Boolean);
  if (chosen.length !== 1) {
    throw new Error(
      '请指定一个总线：--tcp、--rtu 或 --rtu-over-tcp / give exactly one of --tcp, --rtu, --rtu-over-tcp',
    );
  }
  const defaults = LINE_DEFAULTS[protocol];
  const line = {
    baudRate: Number(options.baud ?? defaults.baudRate),
    parity: options.parity ?? defaults.parity,
    dataBits: Number(options.dataBits),
    stopBits: Number(options.stopBits),
  };
  const common = { id: 'cli', timeoutMs: Number(options.timeout), retries: 0 };
  const endpoint = (value: string) => {
    const [host, port] = value.split(':');
    return { host, port: port ? Number(port) : protocol === 'modbus' ? 502 : undefined };
  };
  if (protocol !== 'modbus') {
    const remote = options.tcp ?? options.rtuOverTcp;
    return remote
      ? { ...common, protocol, transport: 'tcp', ...endpoint(remote) }
      : { ...common, protocol, transport: 'serial', path: options.rtu, ...line };
  }
  return options.rtu
    ? { ...common, transport: 'rtu', path: options.rtu, ...line }
    : options.tcp
      ? { ...common, transport: 'tcp', ...endpoint(options.tcp) }
      : { ...common, transport: 'rtu-over-tcp', ...endpoint(options.rtuOverTcp as string), ...line };
}

function parseBus<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new Error(result.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  return result.data;
}
