/** Milliseconds since the epoch; injected so models can be tested at any time of day. */
export type Clock = () => number;

/**
 * What the faults currently impose on a device's physics. Models read these instead of
 * faults being patched onto their output, so totalisers and energies stay consistent
 * (no energy accrues during a power outage, a leak keeps the totaliser running at night).
 */
export interface SimConditions {
  powerOff: boolean;
  waterOff: boolean;
  /** Pressure forced to this value, MPa (low-pressure fault). */
  lowPressureMpa?: number;
  /** Pressure forced to this value, MPa (high-pressure fault: a failed pressure-reducing valve). */
  highPressureMpa?: number;
  /** Supply voltage as a fraction of nominal (undervoltage / overvoltage faults). */
  voltageFactor?: number;
  /** Grid frequency forced to this value, Hz (frequency-deviation fault). */
  frequencyHz?: number;
  /** This phase (1–3) of a three-phase supply is lost (phase-loss fault). */
  lostPhase?: 1 | 2 | 3;
  /** Per-phase voltage factors on top of `voltageFactor` (phase-imbalance fault). */
  phaseVoltageFactors?: readonly [number, number, number];
  /** The load draws this multiple of the circuit's rated current (overload fault). */
  overloadOfRating?: number;
  /** A tank's level forced to this share of full (tank-low, tank-overflow faults). */
  tankShare?: number;
  /** Flow never falls below this, m³/h (leak fault). */
  leakFloorM3h?: number;
  qualityExcursion: boolean;
}

export const NORMAL_CONDITIONS: Readonly<SimConditions> = Object.freeze({
  powerOff: false,
  waterOff: false,
  qualityExcursion: false,
});

/** A device's value model: engineering values under the given conditions at the model's clock time. */
export interface DeviceModel {
  read(conditions: Readonly<SimConditions>): Record<string, number>;
}

export interface ModelContext {
  clock: Clock;
  random: () => number;
  /** The village's offset from UTC, minutes (China: 480), so curves follow local time. */
  utcOffsetMinutes: number;
}
