import { readLineAddress, type MeterLineBus } from './read-address.js';
import { settingLabel, SweepProgress, type LineSetting } from './line-sweep.js';
import { printFound, type ScanOutput } from './scan.js';
import { explainError } from './text.js';

const NO_ANSWER =
  '无应答 / no answer: 线上没有电表，或有多台电表同时应答（冲突）：请读铭牌地址后用 probe --address 逐台读取 / no meter, or several meters answered at once (collision): read their nameplate addresses and use probe --address';

/**
 * Asks a DL/T 645 or CJ/T 188 line for the address of the one meter on it. Exit code 1
 * only if the line cannot be opened.
 */
export async function scanMeterLine(bus: MeterLineBus, out: ScanOutput): Promise<number> {
  const { print } = out;
  const request =
    bus.protocol === 'dlt645'
      ? '读通信地址 read address (0x13) → AAAAAAAAAAAA'
      : '读地址 read address (0x03, DI 810A) → AA…AA';
  const result = await readLineAddress(bus, (line) =>
    print(`扫描 Scanning ${line}: ${request}, timeout ${bus.timeoutMs} ms`),
  );
  switch (result.kind) {
    case 'unavailable':
      print(`✘ ${explainError(result.error.code, result.error.detail)}`);
      return 1;
    case 'found':
      print(
        `  ✔ 应答 answers: 表地址 meter address ${result.meter.address}${result.meter.kind ? ` (${result.meter.kind})` : ''}`,
      );
      print('共 1 个电表应答 / 1 meter answered');
      return 0;
    case 'silent':
      print(NO_ANSWER);
      break;
    case 'garbled':
      print(
        `? 应答乱码，可能有多台电表同时应答 / garbled answer, perhaps several meters at once\n       ${result.detail}`,
      );
  }
  print('共 0 个电表应答 / 0 meters answered');
  return 0;
}

/** Line discovery for DL/T 645 or CJ/T 188: the read-address request at every setting in turn. */
export async function sweepMeterLine(
  busAt: (setting: LineSetting) => MeterLineBus,
  settings: readonly LineSetting[],
  options: { fast?: boolean },
  out: ScanOutput,
): Promise<number> {
  const { print } = out;
  const first = busAt(settings[0] as LineSetting);
  print(
    `线路探测 Line discovery on ${'path' in first ? first.path : `${first.host}:${first.port}`}: ${settings.length} 种设置 settings, 读地址 read address, timeout ${first.timeoutMs} ms${options.fast ? ', 找到即停 stop at the first answer' : ''}`,
  );
  const progress = new SweepProgress(settings.length, out.progress);
  const found: Array<{ setting: LineSetting; who: string }> = [];
  for (const setting of settings) {
    const label = settingLabel(setting);
    progress.next(label, found.length);
    const result = await readLineAddress(busAt(setting));
    if (result.kind === 'unavailable') {
      print(`✘ ${explainError(result.error.code, result.error.detail)}`);
      return 1;
    }
    if (result.kind === 'found') {
      const who = `meter ${result.meter.address}${result.meter.kind ? ` (${result.meter.kind})` : ''}`;
      found.push({ setting, who });
      print(`  ${label.padEnd(11)} ✔ 应答 answers: 表地址 meter address ${who.slice(6)}`);
      if (options.fast) break;
    } else if (result.kind === 'garbled') {
      print(`  ${label.padEnd(11)} ? 应答乱码 garbled: ${result.detail}`);
    }
  }
  printFound(print, found, 'meter(s)');
  return 0;
}
