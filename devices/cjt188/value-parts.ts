import { z } from 'zod';
import { CJT188_DATA_IDS } from './data-identifiers.js';
import type { Cjt188MeteringData } from './metering-data.js';

/**
 * One data identifier's reply carries several values; a profile item names which one
 * it publishes. Each part says which identifier carries it and how to take it out.
 */
export const CJT188_VALUE_PARTS = {
  /** 当前累积流量, m³. */
  current_total: {
    dataId: CJT188_DATA_IDS.meteringData,
    zh: '当前累积流量',
    en: 'current cumulative flow',
    value: (data: Cjt188MeteringData) => data.currentTotalM3,
  },
  /** 结算日累积流量, m³. */
  settlement_total: {
    dataId: CJT188_DATA_IDS.meteringData,
    zh: '结算日累积流量',
    en: 'settlement-day cumulative flow',
    value: (data: Cjt188MeteringData) => data.settlementTotalM3,
  },
  /** Valve: 0 open, 1 closed, 3 abnormal (ST D1 D0). */
  valve_state: {
    dataId: CJT188_DATA_IDS.meteringData,
    zh: '阀门状态（0 开，1 关，3 异常）',
    en: 'valve state (0 open, 1 closed, 3 abnormal)',
    value: (data: Cjt188MeteringData) => data.status.valve,
  },
  /** Battery: 1 = low (ST D2). */
  battery_low: {
    dataId: CJT188_DATA_IDS.meteringData,
    zh: '电池欠压（1 欠压）',
    en: 'battery low (1 = low)',
    value: (data: Cjt188MeteringData) => (data.status.batteryLow ? 1 : 0),
  },
  /** The whole status word, for the maker's own bits. */
  status_word: {
    dataId: CJT188_DATA_IDS.meteringData,
    zh: '状态字 ST',
    en: 'status word ST',
    value: (data: Cjt188MeteringData) => data.status.word,
  },
} as const;

export type Cjt188ValuePart = keyof typeof CJT188_VALUE_PARTS;
export const cjt188ValuePartSchema = z.enum(
  Object.keys(CJT188_VALUE_PARTS) as [Cjt188ValuePart, ...Cjt188ValuePart[]],
);
