/** A small seeded PRNG (mulberry32): the same seed gives the same village, run after run. */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A per-device stream derived from the run's seed and the device id, so adding a device does not reshuffle the others. */
export function deviceRandom(seed: number, deviceId: string): Random {
  let hash = 2166136261 ^ seed;
  for (let i = 0; i < deviceId.length; i++) {
    hash ^= deviceId.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return seededRandom(hash >>> 0);
}

/** Uniform noise in [-amplitude, +amplitude]. */
export function noise(random: Random, amplitude: number): number {
  return (random() * 2 - 1) * amplitude;
}

export function between(random: Random, min: number, max: number): number {
  return min + random() * (max - min);
}

export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
