/**
 * The control byte C (CJ/T 188-2004 5.3.3): D7 direction (1 = reply from the meter),
 * D6 abnormal reply, D5..D0 the function.
 */
export const CJT188_FUNCTION = {
  readData: 0x01,
  readAddress: 0x03,
  writeData: 0x04,
  readKeyVersion: 0x09,
  writeAddress: 0x15,
} as const;

const DIRECTION_REPLY = 0x80;
const ABNORMAL = 0x40;
const FUNCTION_MASK = 0x3f;

export interface Cjt188ControlCode {
  isReply: boolean;
  isAbnormal: boolean;
  func: number;
}

export function parseCjt188Control(control: number): Cjt188ControlCode {
  return {
    isReply: (control & DIRECTION_REPLY) !== 0,
    isAbnormal: (control & ABNORMAL) !== 0,
    func: control & FUNCTION_MASK,
  };
}

/** The control byte of a normal (0x80 | f) or abnormal (0xC0 | f) reply to function `func`. */
export function cjt188ReplyControl(func: number, abnormal = false): number {
  return DIRECTION_REPLY | (abnormal ? ABNORMAL : 0) | func;
}

/**
 * Meter types T (CJ/T 188-2004 table 2). `AA` in a request reaches any type (read-address).
 */
export const CJT188_METER_TYPES: Readonly<Record<number, { zh: string; en: string }>> = Object.freeze({
  0x10: { zh: '冷水水表', en: 'cold water meter' },
  0x11: { zh: '生活热水水表', en: 'domestic hot water meter' },
  0x12: { zh: '直饮水水表', en: 'drinking water meter' },
  0x13: { zh: '中水水表', en: 'reclaimed water meter' },
  0x20: { zh: '热量表（计热量）', en: 'heat meter (heating)' },
  0x21: { zh: '热量表（计冷量）', en: 'heat meter (cooling)' },
  0x30: { zh: '燃气表', en: 'gas meter' },
  0x40: { zh: '自定义仪表', en: 'custom meter' },
});
export const CJT188_ANY_METER_TYPE = 0xaa;
