import { z } from 'zod';
import { idSchema } from '../../contracts/index.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const timeOfDay = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:MM (00:00 to 24:00)');
const date = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be YYYY-MM-DD');

/**
 * One shift in site time: on weekdays (`days`) or on dates (`dates`, which replace the
 * weekly shifts on those dates: holidays, swaps), from `from` to `to`. A shift whose
 * `to` is not after `from` runs overnight into the next day. The first person listed
 * is the one called first.
 */
export const shiftSchema = z
  .strictObject({
    days: z.array(z.enum(WEEKDAYS)).min(1).optional(),
    dates: z.array(date).min(1).optional(),
    from: timeOfDay.default('00:00'),
    to: timeOfDay.default('24:00'),
    people: z.array(idSchema).min(1),
  })
  .refine((s) => (s.days === undefined) !== (s.dates === undefined), {
    message: 'give either days (weekly) or dates, not both',
    path: ['days'],
  });
export type Shift = z.infer<typeof shiftSchema>;

/** Who is on duty at one site, and who hears of an alert nobody acknowledged in time. */
export const siteRosterSchema = z.strictObject({
  shifts: z.array(shiftSchema).default([]),
  /** The next step after `engine.escalateAfterS`: told (and @-mentioned) besides whoever is on duty. */
  escalation: z.array(idSchema).default([]),
});
export type SiteRoster = z.infer<typeof siteRosterSchema>;

/** Site id → roster. */
export const rosterSchema = z.record(idSchema, siteRosterSchema);
export type Roster = z.infer<typeof rosterSchema>;
