import { getDlt645Profile, normaliseDlt645Address } from '../../devices/index.js';
import type { Dlt645BusConfig } from '../config/edge-config-schema.js';
import { createDlt645Transport } from '../dlt645/create-dlt645-line.js';
import { toDlt645Error } from '../dlt645/dlt645-error.js';
import { readDlt645Meter } from '../dlt645/read-meter.js';
import { cliLogger, type Print } from './print.js';
import { explainError, table, unitText } from './text.js';

export interface Dlt645ProbeOptions {
  address: string;
  profile: string;
  raw: boolean;
}

/** Reads one DL/T 645 meter with its profile and prints every item with its unit. Exit code 1 if it does not answer. */
export async function probeDlt645Meter(
  bus: Dlt645BusConfig,
  options: Dlt645ProbeOptions,
  print: Print,
): Promise<number> {
  const profile = getDlt645Profile(options.profile);
  const address = normaliseDlt645Address(options.address);
  const transport = createDlt645Transport(bus, cliLogger);
  const started = performance.now();
  try {
    const reading = await readDlt645Meter(transport, profile, address, bus.timeoutMs, () => undefined);
    const ms = Math.round(performance.now() - started);
    print(
      `${profile.vendor} ${profile.model} · ${transport.description} · 表地址 meter ${address} · ${reading.transactions} 次读取 reads · ${ms} ms`,
    );
    const rows = profile.items.map((item) => {
      const value = reading.values[item.field];
      const error = reading.errors.find((e) => e.field === item.field);
      const row = [
        item.field,
        value === undefined ? `✘ ${error?.reason ?? '—'}` : String(value),
        unitText(item.field),
        item.dataId,
      ];
      if (options.raw) {
        const reply = reading.replies.get(item.dataId);
        row.push(
          reply?.kind === 'data'
            ? reply.value.toString('hex').toUpperCase()
            : reply
              ? `D1 ${reply.errorByte.toString(16).padStart(2, '0')}`
              : '--',
        );
      }
      return row;
    });
    const header = ['字段 Field', '数值 Value', '单位 Unit', '数据标识 DI'];
    if (options.raw) header.push('原始 Raw (低字节在前 LSB first)');
    print(table(header, rows));
    if (reading.errors.length > 0) {
      print(
        `${reading.errors.length} 个字段无效 / field(s) left out: 检查电表是否支持该数据标识 / check which identifiers the meter supports`,
      );
    }
    return 0;
  } catch (error) {
    const coded = toDlt645Error(error, `meter ${address}`);
    print(`✘ ${explainError(coded.code, coded.detail)}`);
    return 1;
  } finally {
    await transport.close();
  }
}
