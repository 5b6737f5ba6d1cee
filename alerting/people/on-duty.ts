import { WEEKDAYS, type Shift, type SiteRoster } from './roster-schema.js';

const DAY_MS = 24 * 3600_000;

function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** The site-local date ("2025-06-01") and weekday of a local day number. */
function dayInfo(localDay: number): { date: string; weekday: string } {
  const d = new Date(localDay * DAY_MS);
  return { date: d.toISOString().slice(0, 10), weekday: WEEKDAYS[(d.getUTCDay() + 6) % 7] as string };
}

function onDay(shift: Shift, day: { date: string; weekday: string }): boolean {
  return shift.dates
    ? shift.dates.includes(day.date)
    : (shift.days ?? []).includes(day.weekday as (typeof WEEKDAYS)[number]);
}

/** Whether the shift covers a moment, given the local day and minute of the day. */
function covers(shift: Shift, localDay: number, minute: number): boolean {
  const from = minutesOf(shift.from);
  const to = minutesOf(shift.to);
  if (from < to) return onDay(shift, dayInfo(localDay)) && minute >= from && minute < to;
  // Overnight: from `from` on its own day to `to` on the next.
  return (
    (onDay(shift, dayInfo(localDay)) && minute >= from) ||
    (onDay(shift, dayInfo(localDay - 1)) && minute < to)
  );
}

/**
 * The people on duty at `now` (ms) at a site, in the order the shifts list them, each
 * once. Shifts on dates replace the weekly ones while any of them covers the moment.
 */
export function peopleOnDuty(
  roster: SiteRoster | undefined,
  now: number,
  utcOffsetMinutes: number,
): string[] {
  if (!roster) return [];
  const local = now + utcOffsetMinutes * 60_000;
  const localDay = Math.floor(local / DAY_MS);
  const minute = Math.floor((local - localDay * DAY_MS) / 60_000);
  const active = roster.shifts.filter((s) => covers(s, localDay, minute));
  const dated = active.filter((s) => s.dates);
  return [...new Set((dated.length > 0 ? dated : active).flatMap((s) => s.people))];
}
