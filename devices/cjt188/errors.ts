/**
 * The CJ/T 188 catalogue: every code for a CJ/T 188 meter, with a message a technician can act on,
 * Chinese first and English. The first group is what a gateway reports when reading a
 * meter on its line fails (status page, CLIs, logs); the rest say why a frame or value
 * was refused. runtime's ERROR_CATALOGUE gathers this catalogue, so CodedError takes
 * these codes as they stand here.
 */
export const CJT188_ERRORS = {
  CJT188_TIMEOUT: {
    zh: 'CJ/T 188 水表无应答：检查接线、表地址（14 位）、表类型、波特率和校验位（常用 2400 8E1）',
    en: 'CJ/T 188 meter did not answer: check wiring, the 14-digit meter address, meter type, baud rate and parity (commonly 2400 8E1)',
  },
  CJT188_ERROR_REPLY: {
    zh: 'CJ/T 188 水表返回异常应答：检查表是否支持该数据标识（常用 901F）和版本（2004/2018）',
    en: 'CJ/T 188 meter answered with an error reply: check the data identifiers it supports (commonly 901F) and its edition (2004/2018)',
  },
  CJT188_BAD_FRAME: {
    zh: 'CJ/T 188 应答乱码（校验和、结束符、地址或 BCD 错误）：检查 A/B 线、波特率和校验位，以及总线上是否有重复表地址',
    en: 'CJ/T 188 answer garbled (checksum, end byte, address or BCD digits): check the A/B wires, baud rate and parity, and for duplicate meter addresses',
  },
  CJT188_CONNECT: {
    zh: '无法打开 CJ/T 188 总线（串口或 TCP 转 485 模块）',
    en: 'Cannot open the CJ/T 188 line (serial port or TCP→RS-485 converter)',
  },
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
