import { describe, expect, it } from 'vitest';
import { lineSweep, settingLabel, SweepProgress } from '../cli/line-sweep.js';
import { plausibility } from '../cli/plausibility.js';
import { durationWords } from '../duration-words.js';

const MODBUS_DEFAULT = { baudRate: 9600, parity: 'none' } as const;

describe('line sweep settings', () => {
  it('auto tries every common Modbus setting, most common first', () => {
    const settings = lineSweep('modbus', 'auto', 'auto', MODBUS_DEFAULT)!;
    expect(settings).toHaveLength(18);
    expect(settings.slice(0, 4).map(settingLabel)).toEqual(['9600 8N1', '9600 8E1', '9600 8O1', '19200 8N1']);
  });

  it('a list narrows the sweep; one value each is a plain scan', () => {
    expect(lineSweep('modbus', '19200,4800', 'odd', MODBUS_DEFAULT)?.map(settingLabel)).toEqual([
      '19200 8O1',
      '4800 8O1',
    ]);
    expect(lineSweep('modbus', '19200', 'even', MODBUS_DEFAULT)).toBeUndefined();
    expect(
      lineSweep('dlt645', 'auto', undefined, { baudRate: 2400, parity: 'even' })?.map(settingLabel),
    ).toEqual(['2400 8E1', '1200 8E1', '4800 8E1', '9600 8E1']);
  });

  it('refuses a baud rate or parity it cannot use, saying what it takes', () => {
    expect(() => lineSweep('modbus', '96OO', 'auto', MODBUS_DEFAULT)).toThrow(/invalid baud rate "96OO"/);
    expect(() => lineSweep('modbus', 'auto', 'mark', MODBUS_DEFAULT)).toThrow(/invalid parity "mark"/);
  });

  it('progress counts probes and, after the first, tells the time left', () => {
    const lines: string[] = [];
    const progress = new SweepProgress(3, (line) => lines.push(line));
    progress.next('9600 8N1 unit 1', 0);
    progress.next('9600 8N1 unit 2', 1);
    expect(lines[0]).toBe('[1/3] 9600 8N1 unit 1 · 0 个应答 answered');
    expect(lines[1]).toMatch(
      /^\[2\/3\] 9600 8N1 unit 2 · 1 个应答 answered · 剩余约 time left \d+ 秒 \/ \d+ s$/,
    );
  });
});

describe('durations in words', () => {
  it('says the two largest units, in Chinese and English', () => {
    expect(durationWords(41_000)).toBe('41 秒 / 41 s');
    expect(durationWords(3_723_000)).toBe('1 小时 2 分 / 1 h 2 min');
    expect(durationWords(3 * 86_400_000 + 4 * 3_600_000 + 59_000)).toBe('3 天 4 小时 / 3 d 4 h');
    expect(durationWords(0)).toBe('0 秒 / 0 s');
  });
});

describe('plausibility of a reading', () => {
  it('counts values in their narrow bands, ignores zeros, and counts rejected fields against', () => {
    const meter = plausibility({
      values: { voltage_v: 229.8, frequency_hz: 50.01, current_a: 0 },
      errors: [],
    });
    expect(meter.score).toBe(6);
    expect(meter.evidence.map((e) => e.field)).toEqual(['voltage_v', 'frequency_hz']);
    const wrongMap = plausibility({
      values: { voltage_v: 0.02, frequency_hz: 0 },
      errors: [{ field: 'power_factor_ratio', reason: 'out of range' }],
    });
    expect(wrongMap.score).toBe(-2);
    expect(wrongMap.rejected).toEqual(['power_factor_ratio']);
  });
});
