/** Local hour of day in [0, 24) for a timestamp and a fixed UTC offset. */
export function hourOfDay(ts: number, utcOffsetMinutes: number): number {
  const minutes = (ts / 60_000 + utcOffsetMinutes) % 1440;
  return (minutes < 0 ? minutes + 1440 : minutes) / 60;
}

/** A smooth bump centred on `center` hours, wrapping round midnight. */
export function bump(hour: number, center: number, width: number): number {
  let distance = Math.abs(hour - center);
  if (distance > 12) distance = 24 - distance;
  return Math.exp(-0.5 * (distance / width) ** 2);
}

/** ≈1 between `start` and `end` hours, ≈0 outside, with ramps of `ramp` hours. */
export function plateau(hour: number, start: number, end: number, ramp = 0.5): number {
  const rise = 1 / (1 + Math.exp(-(hour - start) / (ramp / 4)));
  const fall = 1 / (1 + Math.exp((hour - end) / (ramp / 4)));
  return rise * fall;
}

export function isDaytime(hour: number): boolean {
  return hour >= 7 && hour < 20;
}
