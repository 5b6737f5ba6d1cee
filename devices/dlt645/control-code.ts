/**
 * The control byte C: D7 direction (1 = reply from the meter), D6 abnormal reply,
 * D5 follow-up frames to come, D4..D0 the function.
 */
export const DLT645_FUNCTION = {
  readData: 0x11,
  readFollowUp: 0x12,
  readAddress: 0x13,
} as const;

export const DLT645_CONTROL = {
  readData: 0x11,
  readDataReply: 0x91,
  /** A normal reply with more data in follow-up frames (read them with 0x12). */
  readDataReplyFollowUp: 0xb1,
  readDataError: 0xd1,
  readAddress: 0x13,
  readAddressReply: 0x93,
} as const;

const DIRECTION_REPLY = 0x80;
const ABNORMAL = 0x40;
const FOLLOW_UP = 0x20;
const FUNCTION_MASK = 0x1f;

export interface Dlt645ControlCode {
  isReply: boolean;
  isAbnormal: boolean;
  hasFollowUp: boolean;
  func: number;
}

export function parseDlt645Control(control: number): Dlt645ControlCode {
  return {
    isReply: (control & DIRECTION_REPLY) !== 0,
    isAbnormal: (control & ABNORMAL) !== 0,
    hasFollowUp: (control & FOLLOW_UP) !== 0,
    func: control & FUNCTION_MASK,
  };
}

/**
 * The error byte (ERR) of an abnormal reply, bit by bit (DL/T 645-2007 7.3.3).
 * Bit 7 is reserved.
 */
export const DLT645_ERROR_BITS: ReadonlyArray<{ bit: number; zh: string; en: string }> = [
  { bit: 0x01, zh: '其他错误', en: 'other error' },
  { bit: 0x02, zh: '无请求数据', en: 'no such data (data identifier not supported)' },
  { bit: 0x04, zh: '密码错/未授权', en: 'wrong password / not authorised' },
  { bit: 0x08, zh: '通信速率不能更改', en: 'baud rate cannot be changed' },
  { bit: 0x10, zh: '年时区数超', en: 'too many yearly time zones' },
  { bit: 0x20, zh: '日时段数超', en: 'too many daily time periods' },
  { bit: 0x40, zh: '费率数超', en: 'too many tariffs' },
];

export const DLT645_ERROR_FLAG = { other: 0x01, noData: 0x02, unauthorised: 0x04 } as const;

export function describeDlt645ErrorByte(errorByte: number): string[] {
  const reasons = DLT645_ERROR_BITS.filter(({ bit }) => (errorByte & bit) !== 0).map(
    ({ zh, en }) => `${zh} / ${en}`,
  );
  return reasons.length > 0 ? reasons : [`unknown error byte 0x${errorByte.toString(16).padStart(2, '0')}`];
}
