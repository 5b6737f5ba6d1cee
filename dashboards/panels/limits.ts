/**
 * Default limits drawn on panels (docs/domain.md). The
 * alerting service owns the per-site configurable values; these are the published defaults.
 */
export const LIMITS = {
  /** GB 5749-2022: turbidity ≤ 1 NTU. */
  turbidityMaxNtu: 1,
  /** GB 5749-2022: pH 6.5–8.5. */
  ph: { low: 6.5, high: 8.5 },
  /** GB 5749-2022: free chlorine at the tap 0.05–2 mg/L. */
  freeChlorineMgl: { low: 0.05, high: 2 },
  /** GB 50015 as quoted: ≥ 0.05 MPa at most taps, static ≤ 0.45 MPa at the lowest fixture (⚠ configurable). */
  pressureMpa: { low: 0.05, high: 0.45 },
  /** GB/T 12325-2008: 220 V single-phase supply −10 % / +7 %. */
  voltage220V: { low: 198, high: 235.4 },
  /** GB/T 15945-2008: 50 Hz ± 0.2 Hz. */
  frequencyHz: { low: 49.8, high: 50.2 },
} as const;
