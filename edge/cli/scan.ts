import type { RegisterTable } from '../../devices/index.js';
import type { BusConfig } from '../config/edge-config-schema.js';
import { createScheduler, createTransport } from '../modbus/create-transport.js';
import { toModbusError } from '../modbus/modbus-error.js';
import { settingLabel, SweepProgress, type LineSetting } from './line-sweep.js';
import { cliLogger, type Print } from './print.js';
import { explainError, hex, ranges } from './text.js';

export interface ScanOptions {
  ids: number[];
  table: RegisterTable;
  address: number;
  /** Stop at the first answer. */
  fast?: boolean;
}

/** Where a scan reports: result lines, and a progress line that may be redrawn in place. */
export interface ScanOutput {
  print: Print;
  progress: (line: string) => void;
}

/** What one unit id did when asked for one register. */
interface ProbeAnswer {
  id: number;
  kind: 'answer' | 'exception' | 'garbled';
  detail: string;
}

class LineUnavailable extends Error {}

/**
 * Asks every unit id for one register at one line setting. Resolves with who answered;
 * rejects with LineUnavailable when the port cannot be opened.
 */
async function probeIds(
  bus: BusConfig,
  options: ScanOptions,
  onProbe: (id: number) => void,
  onAnswer: (answer: ProbeAnswer) => void,
  transport = createTransport(bus, cliLogger),
): Promise<number[]> {
  const scheduler = createScheduler(bus);
  const block = { table: options.table, start: options.address, count: 1 };
  const silent: number[] = [];
  let answered = 0;
  try {
    for (const id of options.ids) {
      if (options.fast && answered > 0) break;
      onProbe(id);
      try {
        const [word] = await scheduler.run(() => transport.read(id, block, bus.timeoutMs));
        answered++;
        onAnswer({ id, kind: 'answer', detail: `register ${options.address} = ${hex(word ?? 0)} (${word})` });
      } catch (error) {
        const coded = toModbusError(error, `unit ${id}`);
        if (coded.code === 'MODBUS_CONNECT')
          throw new LineUnavailable(explainError(coded.code, coded.detail));
        if (coded.code === 'MODBUS_TIMEOUT') {
          silent.push(id);
          continue;
        }
        answered++;
        onAnswer({
          id,
          kind: coded.code === 'MODBUS_EXCEPTION' ? 'exception' : 'garbled',
          detail: coded.detail ?? coded.message,
        });
      }
    }
  } finally {
    await transport.close();
  }
  return silent;
}

const KIND_TEXT = {
  answer: '✔ 应答 answers:',
  exception: '? 应答异常码，设备存在 / answers with an exception: a device is there\n      ',
  garbled: '? 应答乱码，可能有设备 / garbled answer: something is there\n      ',
} as const;

/** Asks every unit id for one register and reports who answered. Exit code 1 only if the bus cannot be opened. */
export async function scanBus(bus: BusConfig, options: ScanOptions, out: ScanOutput): Promise<number> {
  const { print } = out;
  const answered: number[] = [];
  const transport = createTransport(bus, cliLogger);
  print(
    `扫描 Scanning ${transport.description}: 地址 unit ids ${ranges(options.ids)}, ${options.table} register ${options.address}, timeout ${bus.timeoutMs} ms`,
  );
  const progress = new SweepProgress(options.ids.length, out.progress);
  let silent: number[];
  try {
    silent = await probeIds(
      bus,
      options,
      (id) => progress.next(`unit ${id}`, answered.length),
      (answer) => {
        answered.push(answer.id);
        print(`  ${String(answer.id).padStart(3)}  ${KIND_TEXT[answer.kind]} ${answer.detail}`);
      },
      transport,
    );
  } catch (error) {
    if (!(error instanceof LineUnavailable)) throw error;
    print(`✘ ${error.message}`);
    return 1;
  }
  print(
    `共 ${answered.length} 个地址应答 / ${answered.length} unit id(s) answered${answered.length ? `: ${ranges(answered)}` : ''}`,
  );
  if (silent.length) print(`无应答 / silent: ${ranges(silent)}`);
  return 0;
}

/**
 * Line discovery: scans the unit ids at every setting in turn (`--baud auto`), and
 * reports at which setting each unit answered. A meter answers only at its own baud
 * rate and parity, so the setting it answers at is its setting.
 */
export async function sweepModbusLine(
  busAt: (setting: LineSetting) => BusConfig,
  settings: readonly LineSetting[],
  options: ScanOptions,
  out: ScanOutput,
): Promise<number> {
  const { print } = out;
  const first = busAt(settings[0] as LineSetting);
  print(
    `线路探测 Line discovery on ${'path' in first ? first.path : `${first.host}:${first.port}`}: ${settings.length} 种设置 settings × 地址 unit ids ${ranges(options.ids)}, timeout ${first.timeoutMs} ms${options.fast ? ', 找到即停 stop at the first answer' : ''}`,
  );
  const progress = new SweepProgress(settings.length * options.ids.length, out.progress);
  const found: Array<ProbeAnswer & { setting: LineSetting }> = [];
  for (const setting of settings) {
    const label = settingLabel(setting);
    try {
      await probeIds(
        busAt(setting),
        options,
        (id) => progress.next(`${label} unit ${id}`, found.length),
        (answer) => {
          found.push({ ...answer, setting });
          print(
            `  ${label.padEnd(11)} ${String(answer.id).padStart(3)}  ${KIND_TEXT[answer.kind]} ${answer.detail}`,
          );
        },
      );
    } catch (error) {
      if (!(error instanceof LineUnavailable)) throw error;
      print(`✘ ${error.message}`);
      return 1;
    }
    if (options.fast && found.length > 0) break;
  }
  printFound(
    print,
    found.map((f) => ({ setting: f.setting, who: `unit ${f.id}` })),
    'unit id(s)',
  );
  return 0;
}

/** The closing summary of a sweep: which settings answered, and what answered at each. */
export function printFound(
  print: Print,
  found: ReadonlyArray<{ setting: LineSetting; who: string }>,
  what: string,
): void {
  if (found.length === 0) {
    print(
      `共 0 个应答 / nothing answered: 检查 A/B 接线、终端电阻和供电 / check the A/B wires, termination and power`,
    );
    return;
  }
  const bySetting = new Map<string, string[]>();
  for (const { setting, who } of found) {
    const key = settingLabel(setting);
    bySetting.set(key, [...(bySetting.get(key) ?? []), who]);
  }
  print(`共 ${found.length} 个应答 / ${found.length} ${what} answered:`);
  for (const [setting, whos] of bySetting) print(`  ✔ ${setting}: ${whos.join(', ')}`);
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
