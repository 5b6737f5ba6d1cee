import type { RegisterTable } from '../../devices/index.js';
import type { BusConfig } from '../config/edge-config-schema.js';
import { createScheduler, createTransport } from '../modbus/create-transport.js';
import { toModbusError } from '../modbus/modbus-error.js';
import { cliLogger, type Print } from './print.js';
import { explainError, hex, ranges } from './text.js';

export interface ScanOptions {
  ids: number[];
  table: RegisterTable;
  address: number;
}

/** Asks every unit id for one register and reports who answered. Exit code 1 only if the bus cannot be opened. */
export async function scanBus(bus: BusConfig, options: ScanOptions, print: Print): Promise<number> {
  const transport = createTransport(bus, cliLogger);
  const scheduler = createScheduler(bus);
  const block = { table: options.table, start: options.address, count: 1 };
  const answered: number[] = [];
  const silent: number[] = [];
  print(
    `扫描 Scanning ${transport.description}: 地址 unit ids ${ranges(options.ids)}, ${options.table} register ${options.address}, timeout ${bus.timeoutMs} ms`,
  );
  try {
    for (const id of options.ids) {
      try {
        const [word] = await scheduler.run(() => transport.read(id, block, bus.timeoutMs));
        answered.push(id);
        print(
          `  ${String(id).padStart(3)}  ✔ 应答 answers: register ${options.address} = ${hex(word ?? 0)} (${word})`,
        );
      } catch (error) {
        const coded = toModbusError(error, `unit ${id}`);
        if (coded.code === 'MODBUS_CONNECT') {
          print(`✘ ${explainError(coded.code, coded.detail)}`);
          return 1;
        }
        if (coded.code === 'MODBUS_TIMEOUT') {
          silent.push(id);
          continue;
        }
        answered.push(id);
        const what =
          coded.code === 'MODBUS_EXCEPTION'
            ? '应答异常码，设备存在 / answers with an exception: a device is there'
            : '应答乱码，可能有设备 / garbled answer: something is there';
        print(`  ${String(id).padStart(3)}  ? ${what}\n       ${coded.detail ?? coded.message}`);
      }
    }
  } finally {
    await transport.close();
  }
  print(
    `共 ${answered.length} 个地址应答 / ${answered.length} unit id(s) answered${answered.length ? `: ${ranges(answered)}` : ''}`,
  );
  if (silent.length) print(`无应答 / silent: ${ranges(silent)}`);
  return 0;
}

/** "1-247", "1-10,20", "5" → sorted unique ids within 1–247 (0–255 on Modbus TCP). */
export function parseIds(text: string, max: number): number[] {
  const ids = new Set<number>();
  for (const part of text.split(',')) {
    const [from, to] = part.trim().split('-').map(Number);
    if (from === undefined || !Number.isInteger(from) || (to !== undefined && !Number.isInteger(to))) {
      throw new Error(`地址范围无效 / invalid unit id range: "${part}"`);
    }
    for (let id = from; id <= (to ?? from); id++) {
      if (id < 0 || id > max) throw new Error(`地址超出范围 / unit id out of range 0-${max}: ${id}`);
      ids.add(id);
    }
  }
  return [...ids].sort((a, b) => a - b);
}
