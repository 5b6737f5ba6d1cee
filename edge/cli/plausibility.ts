import type { DecodedReading } from '../../devices/index.js';

/**
 * What makes a reading look like a real meter of a kind: a value inside a narrow band
 * that a wrong register map, word order or scale almost never lands in. Zero says
 * nothing (an unused register reads zero); a value a profile rejects counts against it.
 */
interface Signature {
  field: RegExp;
  band: [number, number];
  /** Compare the magnitude (power factor may be negative). */
  magnitude?: boolean;
  weight: number;
  zh: string;
  en: string;
}

const SIGNATURES: readonly Signature[] = [
  {
    field: /^voltage(_l\d)?_v$/,
    band: [198, 253],
    weight: 3,
    zh: '电压接近 230 V',
    en: 'a voltage near 230 V',
  },
  { field: /^frequency_hz$/, band: [49, 51], weight: 3, zh: '频率接近 50 Hz', en: 'a frequency near 50 Hz' },
  {
    field: /^power_factor_ratio$/,
    band: [0.3, 1],
    magnitude: true,
    weight: 1,
    zh: '功率因数合理',
    en: 'a power factor between 0.3 and 1',
  },
  {
    field: /^current(_l\d)?_a$/,
    band: [0.01, 100],
    weight: 1,
    zh: '电流合理',
    en: 'a current a building draws',
  },
  { field: /_(kwh)$/, band: [0.01, 1e8], weight: 1, zh: '有电能累计', en: 'an energy total' },
  {
    field: /^active_power_k?w$/,
    band: [0.001, 500_000],
    magnitude: true,
    weight: 1,
    zh: '有功功率合理',
    en: 'a plausible active power',
  },
  {
    field: /^pressure_mpa$/,
    band: [0.02, 1.6],
    weight: 3,
    zh: '水压为几个大气压',
    en: 'a water pressure of a few bar',
  },
  {
    field: /^level_m$/,
    band: [0.05, 50],
    weight: 3,
    zh: '液位为几米',
    en: 'a water level of a few metres',
  },
  { field: /^water_ph$/, band: [6, 9], weight: 3, zh: 'pH 接近中性', en: 'a pH near neutral' },
  { field: /^turbidity_ntu$/, band: [0.01, 10], weight: 1, zh: '浊度合理', en: 'a plausible turbidity' },
  {
    field: /^free_chlorine_mgl$/,
    band: [0.01, 4],
    weight: 1,
    zh: '余氯合理',
    en: 'a plausible free chlorine',
  },
  { field: /temperature_c$/, band: [1, 40], weight: 1, zh: '水温合理', en: 'a water temperature' },
  { field: /^flow_m3h$/, band: [0.001, 1000], weight: 1, zh: '有流量', en: 'a flow' },
  { field: /^velocity_mps$/, band: [0.001, 10], weight: 1, zh: '流速合理', en: 'a flow velocity in a pipe' },
  { field: /_total_m3$/, band: [1, 1e8], weight: 1, zh: '有用水累计', en: 'a water total' },
  { field: /^signal_quality_pct$/, band: [30, 100], weight: 2, zh: '信号质量合理', en: 'a signal quality' },
];

/** A value that counted for a profile, and why. */
export interface Evidence {
  field: string;
  value: number;
  zh: string;
  en: string;
}

export interface Plausibility {
  score: number;
  evidence: Evidence[];
  /** Fields the profile itself rejected (out of range, NaN): a wrong map's usual sign. */
  rejected: string[];
}

/** How much a decoded reading looks like the device its profile describes. */
export function plausibility(reading: DecodedReading): Plausibility {
  const evidence: Evidence[] = [];
  let score = 0;
  for (const [field, value] of Object.entries(reading.values)) {
    const signature = SIGNATURES.find((s) => s.field.test(field));
    if (!signature || value === 0) continue;
    const seen = signature.magnitude ? Math.abs(value) : value;
    if (seen < signature.band[0] || seen > signature.band[1]) continue;
    score += signature.weight;
    evidence.push({ field, value, zh: signature.zh, en: signature.en });
  }
  const rejected = reading.errors.map((e) => e.field);
  return { score: score - 2 * rejected.length, evidence, rejected };
}
