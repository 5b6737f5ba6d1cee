import { UNITS, unitOfField } from '../../devices/index.js';
import { describeCode } from '../errors.js';

/** Columns measured as a terminal shows them: CJK characters take two cells. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text)
    width +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(
        char,
      )
        ? 2
        : 1;
  return width;
}

/** A plain text table: header row, a rule, then rows; columns padded to fit. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) =>
    Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell + ' '.repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(cell))))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** An error as the technician reads it: code, Chinese, English, then what exactly happened. */
export function explainError(code: string, detail: string | undefined): string {
  const entry = describeCode(code);
  const words = entry ? `${entry.zh}\n      ${entry.en}` : code;
  const hint = /permission denied|EACCES/i.test(detail ?? '')
    ? '\n      提示 Hint: sudo usermod -aG dialout $USER (串口权限 / serial port permission), then log in again'
    : '';
  return `[${code}] ${words}${detail ? `\n      ${detail}` : ''}${hint}`;
}

export function hex(word: number): string {
  return `0x${word.toString(16).padStart(4, '0')}`;
}

/** "1-5, 9, 12-13" for a sorted list of ids. */
export function ranges(ids: readonly number[]): string {
  const parts: string[] = [];
  let start: number | undefined;
  let previous: number | undefined;
  for (const id of [...ids, Number.NaN]) {
    if (start !== undefined && previous !== undefined && id === previous + 1) {
      previous = id;
      continue;
    }
    if (start !== undefined && previous !== undefined)
      parts.push(start === previous ? `${start}` : `${start}-${previous}`);
    start = id;
    previous = id;
  }
  return parts.join(', ');
}

/** A field's unit as the technician reads it: `V 伏`, `m³ 立方米`, or nothing for codes. */
export function unitText(field: string): string {
  const suffix = unitOfField(field);
  const unit = suffix ? UNITS[suffix] : undefined;
  return unit ? `${unit.symbol}${unit.zh && unit.zh !== unit.symbol ? ` ${unit.zh}` : ''}` : '';
}
