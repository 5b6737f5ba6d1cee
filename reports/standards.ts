/**
 * The limits the monthly report judges against (DOMAIN: GB/T 12325-2008, GB/T 15945-2008,
 * GB 5749-2022), and the report's own conventions where no standard speaks.
 */
export const NOMINAL_PHASE_VOLTAGE = 220;

/** GB/T 12325-2008 supply voltage deviation, by supply type. */
export const VOLTAGE_LIMITS = {
  /** 220 V single-phase: +7 %, −10 %. */
  single_phase: {
    low: 198,
    high: 235.4,
    zh: '220 V 单相（+7%/−10%）',
    en: '220 V single-phase (+7 %/−10 %)',
  },
  /** Three-phase ≤ 20 kV (380 V): ±7 %, judged on each phase voltage. */
  three_phase: { low: 204.6, high: 235.4, zh: '380 V 三相（±7%）', en: '380 V three-phase (±7 %)' },
} as const;
export type SupplyType = keyof typeof VOLTAGE_LIMITS;

/** Below 10 % of nominal on every phase the supply is interrupted (IEC 61000-4-30 style). */
export const INTERRUPTION_BELOW_V = 0.1 * NOMINAL_PHASE_VOLTAGE;

/** GB/T 15945-2008: 50 Hz ± 0.2 Hz. */
export const FREQUENCY_LIMITS = { low: 49.8, high: 50.2 } as const;

/** GB 5749-2022 parameters a probe reports, with their limits (free chlorine: at the tap). */
export const WATER_QUALITY_LIMITS = [
  { field: 'turbidity_ntu', zh: '浑浊度', en: 'Turbidity', unit: 'NTU', low: undefined, high: 1 },
  { field: 'water_ph', zh: 'pH', en: 'pH', unit: '', low: 6.5, high: 8.5 },
  { field: 'free_chlorine_mgl', zh: '游离氯', en: 'Free chlorine', unit: 'mg/L', low: 0.05, high: 2 },
] as const;

/** No standard defines a water outage: pressure below this at every transmitter of a zone (≈ 2 m head). */
export const NO_WATER_BELOW_MPA = 0.02;

/** Maximum demand (最大需量) is the highest mean power over a 15-minute block, as utility meters count it. */
export const DEMAND_BLOCK_MINUTES = 15;
/** A block counts only when at least this many of its minutes have a power reading. */
export const DEMAND_BLOCK_MIN_MINUTES = 10;

/** The night window of minimum night flow (DOMAIN: 01:00–05:00), local time. */
export const NIGHT_WINDOW = { fromHour: 1, toHour: 5 } as const;
/** A zone whose flow never falls below this in a night window probably leaks. */
export const LEAK_NIGHT_FLOW_M3H = 0.05;

/** Silences this long or longer are listed as gaps (shorter ones only lower completeness). */
export const GAP_MIN_MINUTES = 5;

/** The reports' time zone: months and nights are China's. */
export const REPORT_TIME_ZONE = 'Asia/Shanghai';
export const REPORT_UTC_OFFSET_MS = 8 * 3_600_000;
