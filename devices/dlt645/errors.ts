/**
 * The DL/T 645 catalogue: every code for a DL/T 645 meter, with a message a technician can act on,
 * Chinese first and English. The first group is what a gateway reports when reading a
 * meter on its line fails (status page, CLIs, logs); the rest say why a frame or value
 * was refused. runtime's ERROR_CATALOGUE gathers this catalogue, so CodedError takes
 * these codes as they stand here.
 */
export const DLT645_ERRORS = {
  DLT645_TIMEOUT: {
    zh: 'DL/T 645 电表无应答：检查接线、表地址（12 位）、波特率和校验位（常用 2400 8E1）',
    en: 'DL/T 645 meter did not answer: check wiring, the 12-digit meter address, baud rate and parity (commonly 2400 8E1)',
  },
  DLT645_ERROR_REPLY: {
    zh: 'DL/T 645 电表返回异常应答（D1）：检查数据标识是否支持、是否需要密码',
    en: 'DL/T 645 meter answered with an error reply (D1): check the data identifiers it supports and whether it needs a password',
  },
  DLT645_BAD_FRAME: {
    zh: 'DL/T 645 应答乱码（校验和、结束符或 BCD 错误）：检查 A/B 线、波特率和校验位，以及总线上是否有重复表地址',
    en: 'DL/T 645 answer garbled (checksum, end byte or BCD digits): check the A/B wires, baud rate and parity, and for duplicate meter addresses',
  },
  DLT645_CONNECT: {
    zh: '无法打开 DL/T 645 总线（串口或 TCP 转 485 模块）',
    en: 'Cannot open the DL/T 645 line (serial port or TCP→RS-485 converter)',
  },
  DLT645_NO_FRAME: { zh: '没有找到帧起始符 68', en: 'No frame start (68 … 68) found' },
  DLT645_BAD_LENGTH: { zh: '帧长度与长度域 L 不符', en: 'Frame length does not match its L field' },
  DLT645_BAD_CHECKSUM: {
    zh: '校验和错误（检查接线与校验位）',
    en: 'Checksum mismatch (check wiring and parity)',
  },
  DLT645_BAD_END: { zh: '帧结束符不是 16', en: 'Frame does not end in 16' },
  DLT645_NOT_BCD: { zh: '数据不是 BCD 码', en: 'Bytes are not BCD digits' },
  DLT645_BAD_ADDRESS: { zh: '表地址格式错误（应为 12 位数字）', en: 'Meter address must be 12 digits' },
  DLT645_BAD_DATA_ID: {
    zh: '数据标识格式错误（应为 8 位十六进制）',
    en: 'Data identifier must be 8 hex digits',
  },
  DLT645_UNEXPECTED_REPLY: { zh: '应答与请求不匹配', en: 'Reply does not answer the request' },
  DLT645_METER_ERROR: { zh: '电表返回异常应答', en: 'Meter answered with an error' },
  DLT645_VALUE_RANGE: { zh: '数值超出数据格式范围', en: 'Value does not fit the data format' },
} as const;

export type Dlt645ErrorCode = keyof typeof DLT645_ERRORS;

export class Dlt645Error extends Error {
  override readonly name = 'Dlt645Error';

  constructor(
    readonly code: Dlt645ErrorCode,
    readonly detail: string,
  ) {
    const entry = DLT645_ERRORS[code];
    super(`${code}: ${entry.zh} / ${entry.en} — ${detail}`);
  }
}

export function isDlt645Error(error: unknown): error is Dlt645Error {
  return error instanceof Dlt645Error;
}
