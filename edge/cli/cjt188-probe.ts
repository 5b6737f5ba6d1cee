import {
  CJT188_VALUE_PARTS,
  decodeCjt188MeteringData,
  getCjt188Profile,
  normaliseCjt188Address,
} from '../../devices/index.js';
import type { Cjt188BusConfig } from '../config/edge-config-schema.js';
import { toCjt188Error } from '../cjt188/cjt188-error.js';
import { createCjt188Transport } from '../cjt188/cjt188-transport.js';
import { readCjt188Meter } from '../cjt188/read-meter.js';
import { cliLogger, type Print } from './print.js';
import { explainError, table, unitText } from './text.js';

export interface Cjt188ProbeOptions {
  address: string;
  profile: string;
  raw: boolean;
}

/** Reads one CJ/T 188 water meter with its profile: every value with its unit, and the meter's clock. */
export async function probeCjt188Meter(
  bus: Cjt188BusConfig,
  options: Cjt188ProbeOptions,
  print: Print,
): Promise<number> {
  const profile = getCjt188Profile(options.profile);
  const address = normaliseCjt188Address(options.address);
  const transport = createCjt188Transport(bus, cliLogger);
  const started = performance.now();
  try {
    const reading = await readCjt188Meter(transport, profile, address, bus.timeoutMs, () => undefined);
    const ms = Math.round(performance.now() - started);
    print(
      `${profile.vendor} ${profile.model} · ${transport.description} · 表地址 meter ${address} · ${reading.transactions} 次读取 reads · ${ms} ms`,
    );
    const rows = profile.items.map((item) => {
      const part = CJT188_VALUE_PARTS[item.part];
      const value = reading.values[item.field];
      const error = reading.errors.find((e) => e.field === item.field);
      const row = [
        item.field,
        value === undefined ? `✘ ${error?.reason ?? '—'}` : String(value),
        unitText(item.field),
        `${part.dataId} ${part.zh}`,
      ];
      if (options.raw) {
        const reply = reading.replies.get(part.dataId);
        row.push(reply?.kind === 'data' ? reply.payload.toString('hex').toUpperCase() : '--');
      }
      return row;
    });
    const header = ['字段 Field', '数值 Value', '单位 Unit', '数据标识 DI'];
    if (options.raw) header.push('原始 Raw (低字节在前 LSB first)');
    print(table(header, rows));
    const metering = reading.replies.get('901F');
    if (metering?.kind === 'data') {
      const { clock } = decodeCjt188MeteringData(metering.payload);
      const two = (n: number) => String(n).padStart(2, '0');
      print(
        `表内时钟 Meter clock: ${clock.year}-${two(clock.month)}-${two(clock.day)} ${two(clock.hour)}:${two(clock.minute)}:${two(clock.second)}`,
      );
    }
    return 0;
  } catch (error) {
    const coded = toCjt188Error(error, `meter ${address}`);
    print(`✘ ${explainError(coded.code, coded.detail)}`);
    return 1;
  } finally {
    await transport.close();
  }
}
