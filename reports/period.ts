import { z } from 'zod';
import { REPORT_UTC_OFFSET_MS } from './standards.js';

/** A report's time range: [fromMs, toMs) in China local time, with its label. */
export interface ReportPeriod {
  fromMs: number;
  toMs: number;
  /** `2026-11` or `2026-11-03 – 2026-11-09`. */
  label: string;
  kind: 'month' | 'range';
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function localMidnightMs(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) - REPORT_UTC_OFFSET_MS;
}

export const periodInputSchema = z
  .object({
    month: z.string().regex(MONTH, 'a month as YYYY-MM, e.g. 2026-11').optional(),
    from: z.string().regex(DAY, 'a day as YYYY-MM-DD').optional(),
    /** Last day included. */
    to: z.string().regex(DAY, 'a day as YYYY-MM-DD').optional(),
  })
  .refine((p) => (p.month !== undefined) !== (p.from !== undefined && p.to !== undefined), {
    message: 'give either month (YYYY-MM) or both from and to (YYYY-MM-DD)',
  });
export type PeriodInput = z.infer<typeof periodInputSchema>;

export function reportPeriod(input: PeriodInput): ReportPeriod {
  const parsed = periodInputSchema.parse(input);
  if (parsed.month) {
    const [, y, m] = MONTH.exec(parsed.month) as RegExpExecArray;
    const year = Number(y);
    const month = Number(m);
    return {
      fromMs: localMidnightMs(year, month, 1),
      toMs: month === 12 ? localMidnightMs(year + 1, 1, 1) : localMidnightMs(year, month + 1, 1),
      label: parsed.month,
      kind: 'month',
    };
  }
  const day = (text: string) => {
    const [, y, m, d] = DAY.exec(text) as RegExpExecArray;
    const ms = localMidnightMs(Number(y), Number(m), Number(d));
    if (localDate(ms) !== text) throw new Error(`"${text}" is not a calendar day`);
    return ms;
  };
  const fromMs = day(parsed.from as string);
  const toMs = day(parsed.to as string) + 86_400_000;
  if (toMs <= fromMs) throw new Error('"to" must not be before "from"');
  return { fromMs, toMs, label: `${parsed.from} – ${parsed.to}`, kind: 'range' };
}

/** The previous calendar month of a moment, China time (what a monthly e-mail reports). */
export function previousMonth(nowMs: number): string {
  const local = new Date(nowMs + REPORT_UTC_OFFSET_MS);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth(); // 0-based: the previous month's 1-based number
  return month === 0 ? `${year - 1}-12` : `${year}-${String(month).padStart(2, '0')}`;
}

/** `2026-11-05` of a moment, China time. */
export function localDate(ms: number): string {
  return new Date(ms + REPORT_UTC_OFFSET_MS).toISOString().slice(0, 10);
}

/** `2026-11-05 14:00` of a moment, China time. */
export function localDateTime(ms: number): string {
  return new Date(ms + REPORT_UTC_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** Hour of the day, China time. */
export function localHour(ms: number): number {
  return new Date(ms + REPORT_UTC_OFFSET_MS).getUTCHours();
}
