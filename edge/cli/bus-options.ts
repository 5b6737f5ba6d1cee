import type { Command } from 'commander';
import { busSchema, type BusConfig } from '../config/edge-config-schema.js';

export interface BusOptions {
  tcp?: string;
  rtu?: string;
  rtuOverTcp?: string;
  baud: string;
  parity: string;
  dataBits: string;
  stopBits: string;
  timeout: string;
}

/** The options every command that talks to a bus directly takes. */
export function addBusOptions(command: Command, defaultTimeoutMs: number): Command {
  return command
    .option('--tcp <host:port>', 'Modbus TCP 地址 / Modbus TCP host:port (port defaults to 502)')
    .option('--rtu <path>', 'RS-485 串口，如 /dev/ttyUSB0 / serial port, e.g. /dev/ttyUSB0')
    .option('--rtu-over-tcp <host:port>', '透传型 TCP 转 485 模块 / transparent TCP→RS-485 converter')
    .option('--baud <rate>', '波特率 / baud rate', '9600')
    .option('--parity <parity>', '校验位 none|even|odd / parity', 'none')
    .option('--data-bits <bits>', '数据位 / data bits', '8')
    .option('--stop-bits <bits>', '停止位 / stop bits', '1')
    .option('--timeout <ms>', '每次读取超时（毫秒）/ timeout per read, ms', String(defaultTimeoutMs));
}

/** A one-bus config from the command line, validated by the same schema as the config file. */
export function busFromOptions(options: BusOptions): BusConfig {
  const chosen = [options.tcp, options.rtu, options.rtuOverTcp].filter(Boolean);
  if (chosen.length !== 1) {
    throw new Error(
      '请指定一个总线：--tcp、--rtu 或 --rtu-over-tcp / give exactly one of --tcp, --rtu, --rtu-over-tcp',
    );
  }
  const line = {
    baudRate: Number(options.baud),
    parity: options.parity,
    dataBits: Number(options.dataBits),
    stopBits: Number(options.stopBits),
  };
  const common = { id: 'cli', timeoutMs: Number(options.timeout), retries: 0 };
  const endpoint = (value: string) => {
    const [host, port] = value.split(':');
    return { host, port: port ? Number(port) : 502 };
  };
  const input = options.rtu
    ? { ...common, transport: 'rtu', path: options.rtu, ...line }
    : options.tcp
      ? { ...common, transport: 'tcp', ...endpoint(options.tcp) }
      : { ...common, transport: 'rtu-over-tcp', ...endpoint(options.rtuOverTcp as string), ...line };
  const result = busSchema.safeParse(input);
  if (!result.success) {
    throw new Error(result.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  return result.data;
}
