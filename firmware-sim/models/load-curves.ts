import type { ZONE_KINDS } from '../../site/index.js';
import { bump, plateau } from './time-of-day.js';

export type ZoneKind = keyof typeof ZONE_KINDS;

/**
 * Daily electrical load as a fraction of the meter's peak, by what the zone is used
 * for: a canteen peaks at meals, a maker workspace in working hours, a clinic is steady.
 */
const ELECTRIC_LOAD: Readonly<Record<ZoneKind, (hour: number) => number>> = {
  dining: (h) => 0.12 + 0.45 * bump(h, 7, 0.8) + 0.88 * bump(h, 11.75, 0.9) + 0.8 * bump(h, 17.75, 1),
  maker_workspace: (h) => 0.08 + 0.85 * plateau(h, 8.5, 18) - 0.2 * bump(h, 12.25, 0.5),
  industry_incubation: (h) => 0.1 + 0.8 * plateau(h, 9, 18),
  public_services: (h) => 0.55 + 0.1 * plateau(h, 8, 18),
  public_exchange: (h) => 0.1 + 0.45 * plateau(h, 9, 17) + 0.45 * bump(h, 19.5, 1.2),
  culture_leisure: (h) => 0.08 + 0.35 * plateau(h, 9, 17) + 0.6 * bump(h, 20, 1.2),
  featured_extension: (h) => 0.1 + 0.6 * plateau(h, 9, 18),
  shopping: (h) => 0.15 + 0.75 * plateau(h, 8, 21),
};

export function electricLoadFraction(kind: ZoneKind, hour: number): number {
  return clamp01(ELECTRIC_LOAD[kind](hour));
}

/** Daily water demand as a fraction of peak flow: near zero at night, peaks morning and evening. */
export function waterDemandFraction(hour: number): number {
  return clamp01(
    0.01 + 0.85 * bump(hour, 7.25, 0.9) + 0.45 * bump(hour, 12, 1.2) + 0.95 * bump(hour, 19, 1.4),
  );
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
