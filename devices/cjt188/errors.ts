/**
 * Why a CJ/T 188 frame or value was refused, Chinese first and English (as runtime's
 * CodedError; devices/ stays free of service concerns, so these codes live here).
 */
export const CJT188_ERRORS = {
  CJT188_NO_FRAME: { zh: '没有找到帧起始符 68', en: 'No frame start (68) found' },
  CJT188_BAD_LENGTH: { zh: '帧长度与长度域 L 不符', en: 'Frame length does not match its L field' },
  CJT188_BAD_CHECKSUM: {
    zh: '校验和错误（检查接线与校验位）',
    en: 'Checksum mismatch (check wiring and parity)',
  },
  CJT188_BAD_END: { zh: '帧结束符不是 16', en: 'Frame does not end in 16' },
  CJT188_NOT_BCD: { zh: '数据不是 BCD 码', en: 'Bytes are not BCD digits' },
  CJT188_BAD_ADDRESS: {
    zh: '表地址格式错误（应为 14 位数字）',
    en: 'Meter address must be 14 digits',
  },
  CJT188_BAD_DATA_ID: {
    zh: '数据标识格式错误（应为 4 位十六进制）',
    en: 'Data identifier must be 4 hex digits',
  },
  CJT188_UNEXPECTED_REPLY: { zh: '应答与请求不匹配', en: 'Reply does not answer the request' },
  CJT188_UNKNOWN_UNIT: { zh: '未知的计量单位代码', en: 'Unknown unit code' },
  CJT188_VALUE_RANGE: { zh: '数值超出数据格式范围', en: 'Value does not fit the data format' },
} as const;

export type Cjt188ErrorCode = keyof typeof CJT188_ERRORS;

export class Cjt188Error extends Error {
  override readonly name = 'Cjt188Error';

  constructor(
    readonly code: Cjt188ErrorCode,
    readonly detail: string,
  ) {
    const entry = CJT188_ERRORS[code];
    super(`${code}: ${entry.zh} / ${entry.en} — ${detail}`);
  }
}

export function isCjt188Error(error: unknown): error is Cjt188Error {
  return error instanceof Cjt188Error;
}
