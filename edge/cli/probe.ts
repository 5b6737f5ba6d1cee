import { getModbusProfile, planReads, resolveRegisters } from '../../devices/index.js';
import type { BusConfig } from '../config/edge-config-schema.js';
import { createTransport } from '../modbus/create-transport.js';
import { toModbusError } from '../modbus/modbus-error.js';
import { readDevice } from '../modbus/read-device.js';
import { cliLogger, type Print } from './print.js';
import { explainError, hex, table, unitText } from './text.js';

export interface ProbeOptions {
  unitId: number;
  profile: string;
  raw: boolean;
}

/** Reads one device once with its profile and prints every field with its unit. Exit code 1 if it does not answer. */
export async function probeDevice(bus: BusConfig, options: ProbeOptions, print: Print): Promise<number> {
  const profile = getModbusProfile(options.profile);
  const plan = planReads(profile);
  const transport = createTransport(bus, cliLogger);
  const started = performance.now();
  try {
    const reading = await readDevice(
      transport,
      profile,
      plan,
      options.unitId,
      bus.timeoutMs,
      () => undefined,
    );
    const ms = Math.round(performance.now() - started);
    print(
      `${profile.vendor} ${profile.model} · ${transport.description} · 地址 unit ${options.unitId} · ${reading.transactions} 次读取 reads · ${ms} ms`,
    );
    const words = new Map<string, number>();
    for (const { block, words: got } of reading.blocks) {
      got.forEach((word, i) => words.set(`${block.table}:${block.start + i}`, word));
    }
    const rows = resolveRegisters(profile).map((register) => {
      const field = register.field.field;
      const value = reading.values[field];
      const error = reading.errors.find((e) => e.field === field);
      const row = [
        field,
        value === undefined ? `✘ ${error?.reason ?? '—'}` : String(value),
        unitText(field),
        `${register.table === 'holding' ? 'FC03' : 'FC04'} ${register.address} (${hex(register.address)})`,
      ];
      if (options.raw) {
        const raw = Array.from({ length: register.width }, (_, i) =>
          words.get(`${register.table}:${register.address + i}`),
        );
        row.push(raw.map((w) => (w === undefined ? '----' : hex(w))).join(' '));
      }
      return row;
    });
    const header = ['字段 Field', '数值 Value', '单位 Unit', '寄存器 Register'];
    if (options.raw) header.push('原始 Raw');
    print(table(header, rows));
    if (reading.errors.length > 0) {
      print(
        `${reading.errors.length} 个字段无效 / field(s) left out: 检查字节序、倍率 / check word order and scaling`,
      );
    }
    return 0;
  } catch (error) {
    const coded = toModbusError(error, `unit ${options.unitId}`);
    print(`✘ ${explainError(coded.code, coded.detail)}`);
    return 1;
  } finally {
    await transport.close();
  }
}
