import type { SupplyType } from './standards.js';

/** A named thing of the site file: id plus its Chinese and English names. */
export interface Named {
  id: string;
  name: string;
  name_en: string;
}

/** Something the data did that a figure depends on: a reset, a replacement, a gap. */
export interface DataEvent {
  device: Named;
  kind: 'reset' | 'replacement' | 'gap' | 'no-baseline';
  fromMs: number;
  toMs: number;
  /** For reset/replacement: register before and after. */
  before?: number;
  after?: number;
  /** Consumption counted across it (register difference), if any. */
  countedAcross?: number;
}

export interface MeterConsumption {
  device: Named;
  zone: string;
  building: string;
  quantity: 'electricity' | 'water';
  /** kWh or m³ over the period, from the register (resets, replacements and gaps handled). */
  total: number;
  /** The register had no reading in the period. */
  noData: boolean;
  isWaterMain: boolean;
  events: DataEvent[];
}

export interface Demand {
  kw: number;
  /** Start of the 15-minute block. */
  atMs: number;
}

export interface GroupConsumption {
  group: Named;
  electricityKwh: number;
  waterM3: number;
  /** Highest 15-minute demand of the group's meters together. */
  peakDemand?: Demand;
  /** Some meter of the group had a reset, a replacement or a gap: see data events. */
  flagged: boolean;
}

export interface VoltageQuality {
  device: Named;
  zone: string;
  supply: SupplyType;
  limits: { low: number; high: number };
  monitoredMinutes: number;
  withinMinutes: number;
  aboveMinutes: number;
  belowMinutes: number;
  /** withinMinutes / monitoredMinutes, or undefined without readings. */
  rate?: number;
  minV?: number;
  maxV?: number;
}

export interface FrequencyQuality {
  device: Named;
  monitoredMinutes: number;
  withinMinutes: number;
  rate?: number;
  minHz?: number;
  maxHz?: number;
}

export interface WaterQualityFigure {
  device: Named;
  field: string;
  name: string;
  name_en: string;
  unit: string;
  limits: { low?: number; high?: number };
  monitoredMinutes: number;
  compliantMinutes: number;
  rate?: number;
  min?: number;
  max?: number;
}

export interface Interval {
  fromMs: number;
  toMs: number;
}

export interface ZoneAvailability {
  zone: Named;
  periodMinutes: number;
  powerOffMinutes: number;
  powerNoDataMinutes: number;
  waterOffMinutes: number;
  waterNoDataMinutes: number;
  powerOutages: Interval[];
  waterOutages: Interval[];
}

export interface NightFlow {
  /** A zone, or a water main. */
  subject: Named;
  nights: number;
  /** Nights whose window had readings throughout. */
  nightsMeasured: number;
  medianMinM3h?: number;
  maxMinM3h?: number;
  /** Nights whose minimum stayed above the leak threshold. */
  leakNights: number;
  firstLeakNight?: string;
}

export interface WaterBalance {
  mains: Named[];
  mainM3: number;
  subM3: number;
  /** (main − sub) / main, or undefined when the main counted nothing. */
  nonRevenueRatio?: number;
}

export interface AlertClass {
  rule: string;
  title: string;
  title_en: string;
  severity: string;
  fired: number;
  acknowledged: number;
  resolved: number;
  openAtEnd: number;
  medianAckMinutes?: number;
  maxAckMinutes?: number;
  medianResolveMinutes?: number;
  maxResolveMinutes?: number;
}

export interface Completeness {
  device: Named;
  pollIntervalS: number;
  expected: number;
  received: number;
  ratio: number;
  gaps: Interval[];
}

export interface MonthlyReport {
  site: Named;
  period: { fromMs: number; toMs: number; label: string };
  generatedAtMs: number;
  /** Where the minutes came from: raw points or the 1-minute roll-up. */
  source: 'raw' | 'rollup_1m';
  consumption: {
    meters: MeterConsumption[];
    zones: GroupConsumption[];
    buildings: GroupConsumption[];
    tenants: GroupConsumption[];
    site: GroupConsumption;
  };
  voltage: {
    devices: VoltageQuality[];
    zones: Array<{ zone: Named; monitoredMinutes: number; withinMinutes: number; rate?: number }>;
    siteRate?: number;
  };
  frequency: { devices: FrequencyQuality[]; siteRate?: number };
  waterQuality: WaterQualityFigure[];
  availability: ZoneAvailability[];
  waterBalance: WaterBalance;
  nightFlow: NightFlow[];
  alerts: AlertClass[];
  completeness: Completeness[];
  dataEvents: DataEvent[];
}
