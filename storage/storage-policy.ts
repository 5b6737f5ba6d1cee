import { z } from 'zod';
import { configBoolean, configNumber } from '../runtime/index.js';

/** An InfluxQL duration of whole hours, days or weeks, or `INF` (kept forever). */
const durationSchema = z
  .string()
  .regex(/^(INF|[1-9][0-9]*[hdw])$/, 'an InfluxQL duration such as 90d, 2160h, 104w, or INF')
  .refine(
    (value) => !/^[0-9]+[hdw]$/.test(value) || durationMs(value) >= 7 * 86_400_000,
    'must be at least 7d: the dashboards read raw points for ranges up to 2 days and reports for recent months',
  );

/** How long InfluxDB keeps raw points and each roll-up (docs/storage.md measures what that costs). */
export const storagePolicySchema = z.strictObject({
  /** Apply the policy when ingest first reaches an InfluxDB 1.x (retention policies and continuous queries). */
  manage: configBoolean().default(true),
  raw: durationSchema.default('90d'),
  rollup1m: durationSchema.default('730d'),
  rollup1h: durationSchema.default('INF'),
  /**
   * How often ingest rolls up points that arrived after the continuous queries had passed
   * their time (a gateway replaying an outage), so the roll-ups kept for years have no hole.
   */
  backfillEveryS: configNumber().pipe(z.number().int().min(1).max(86_400)).default(60),
});
export type StoragePolicy = z.infer<typeof storagePolicySchema>;

/** An InfluxQL duration of whole minutes, hours, days or weeks (or INF) in ms. */
export function durationMs(duration: string): number {
  if (duration === 'INF') return Number.POSITIVE_INFINITY;
  const match = /^([0-9]+)([mhdw])$/.exec(duration);
  if (!match) throw new Error(`"${duration}" is not a duration of minutes, hours, days or weeks`);
  const hour = 3_600_000;
  const unit = { m: 60_000, h: hour, d: 24 * hour, w: 168 * hour };
  return Number(match[1]) * unit[match[2] as keyof typeof unit];
}

/** Shard group length InfluxDB's own defaults pick for a duration (≤ 2 d: 1 h; ≤ 6 months: 1 d; else 7 d). */
export function shardDuration(duration: string): string {
  const ms = durationMs(duration);
  if (ms <= 2 * 86_400_000) return '1h';
  if (ms <= 182 * 86_400_000) return '1d';
  return '7d';
}
