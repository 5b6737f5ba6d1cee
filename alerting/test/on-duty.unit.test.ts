import { describe, expect, it } from 'vitest';
import { peopleOnDuty } from '../people/on-duty.js';
import { siteRosterSchema } from '../people/roster-schema.js';

const CHINA = 480;
/** A site-local time (UTC+8) as ms since the epoch. */
const local = (iso: string) => Date.parse(`${iso}+08:00`);

const roster = siteRosterSchema.parse({
  shifts: [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00', people: ['wang', 'zhao'] },
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '18:00', to: '08:00', people: ['li'] },
    { days: ['sat', 'sun'], people: ['zhao'] },
    { dates: ['2025-10-01', '2025-10-02'], from: '00:00', to: '24:00', people: ['chen'] },
  ],
  escalation: ['boss'],
});

describe('who is on duty', () => {
  it('follows weekly shifts in site time, the first listed first', () => {
    expect(peopleOnDuty(roster, local('2025-06-03T09:30:00'), CHINA)).toEqual(['wang', 'zhao']); // Tuesday
    expect(peopleOnDuty(roster, local('2025-06-03T17:59:59'), CHINA)).toEqual(['wang', 'zhao']);
    expect(peopleOnDuty(roster, local('2025-06-03T18:00:00'), CHINA)).toEqual(['li']);
    expect(peopleOnDuty(roster, local('2025-06-07T12:00:00'), CHINA)).toEqual(['zhao']); // Saturday
  });

  it('runs an overnight shift into the next morning, and not past the last weekday', () => {
    expect(peopleOnDuty(roster, local('2025-06-04T03:00:00'), CHINA)).toEqual(['li']); // Tue night → Wed 03:00
    expect(peopleOnDuty(roster, local('2025-06-07T03:00:00'), CHINA)).toEqual(['li', 'zhao']); // Fri night, and Saturday's day shift
    // Sunday night: no weekday shift began and the weekend one ended at midnight, a gap.
    expect(peopleOnDuty(roster, local('2025-06-09T03:00:00'), CHINA)).toEqual([]);
  });

  it('lets shifts on dates replace the weekly ones (a holiday)', () => {
    expect(peopleOnDuty(roster, local('2025-10-01T09:00:00'), CHINA)).toEqual(['chen']); // a Wednesday
    expect(peopleOnDuty(roster, local('2025-10-03T09:00:00'), CHINA)).toEqual(['wang', 'zhao']);
  });

  it('names nobody without a roster, and is judged in site time, not UTC', () => {
    expect(peopleOnDuty(undefined, Date.now(), CHINA)).toEqual([]);
    // 2025-06-03 01:00 UTC is 09:00 in the village.
    expect(peopleOnDuty(roster, Date.UTC(2025, 5, 3, 1, 0), CHINA)).toEqual(['wang', 'zhao']);
    expect(peopleOnDuty(roster, Date.UTC(2025, 5, 3, 1, 0), 0)).toEqual(['li']);
  });

  it('refuses a shift with both days and dates, or neither', () => {
    expect(siteRosterSchema.safeParse({ shifts: [{ people: ['a'] }] }).success).toBe(false);
    expect(
      siteRosterSchema.safeParse({ shifts: [{ days: ['mon'], dates: ['2025-01-01'], people: ['a'] }] })
        .success,
    ).toBe(false);
    expect(
      siteRosterSchema.safeParse({ shifts: [{ days: ['mon'], from: '25:00', people: ['a'] }] }).success,
    ).toBe(false);
  });
});
