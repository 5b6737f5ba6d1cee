import { z } from 'zod';

const perSeverityS = z
  .object({
    info: z.number().nonnegative(),
    warning: z.number().nonnegative(),
    critical: z.number().nonnegative(),
  })
  .partial();

/** Engine-wide knobs; 0 (or a missing severity) turns a reminder or escalation off. */
export const enginePolicySchema = z.object({
  flap: z
    .object({
      maxChanges: z.number().int().nonnegative().default(4),
      windowS: z.number().positive().default(900),
    })
    .default({ maxChanges: 4, windowS: 900 }),
  /** Repeat the notification of an unacknowledged firing alert this often. */
  remindEveryS: perSeverityS.default({ critical: 1800 }),
  /** Notify the escalation contacts when an alert stays unacknowledged this long. */
  escalateAfterS: perSeverityS.default({ critical: 900, warning: 3600 }),
  /** Resolved alerts kept for the API and the journal. */
  resolvedRetention: z.number().int().positive().default(1000),
  /** Site-local time for time-of-day windows and messages (China: UTC+8, no DST). */
  utcOffsetMinutes: z.number().int().min(-720).max(840).default(480),
});
export type EnginePolicy = z.infer<typeof enginePolicySchema>;
