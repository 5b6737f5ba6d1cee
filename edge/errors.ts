import { ERROR_CATALOGUE, isCodedError } from '../runtime/index.js';

/**
 * The runtime's coded errors plus the few the gateway needs that runtime/errors.ts
 * does not have yet (see the edge README: they belong in the shared catalogue).
 */
export const EDGE_ERROR_CATALOGUE = {
  ...ERROR_CATALOGUE,
  MODBUS_BAD_FRAME: {
    zh: 'Modbus 应答乱码或 CRC 校验错误：检查 A/B 线、终端电阻、波特率和校验位，以及总线上是否有重复地址',
    en: 'Modbus answer garbled or failed its CRC: check the A/B wires, termination, baud rate and parity, and for duplicate unit ids',
  },
  BUFFER_WRITE_FAILED: {
    zh: '本地缓存写入失败：检查存储卡剩余空间',
    en: 'Cannot write the local buffer: check free space on the storage card',
  },
} as const;

export type EdgeErrorCode = keyof typeof EDGE_ERROR_CATALOGUE;

/** Same shape and message format as runtime's CodedError, over the wider edge catalogue. */
export class EdgeError extends Error {
  readonly code: EdgeErrorCode;
  readonly detail: string | undefined;

  constructor(code: EdgeErrorCode, detail?: string, options?: { cause?: unknown }) {
    const entry = EDGE_ERROR_CATALOGUE[code];
    super(`${code}: ${entry.zh} / ${entry.en}${detail ? ` — ${detail}` : ''}`, options);
    this.name = 'EdgeError';
    this.code = code;
    this.detail = detail;
  }

  static from(error: unknown): EdgeError | undefined {
    if (error instanceof EdgeError) return error;
    if (isCodedError(error)) return new EdgeError(error.code, error.detail, { cause: error });
    return undefined;
  }
}

/** The catalogue text of a code in both languages, for the status page and the CLI. */
export function describeCode(code: string): { zh: string; en: string } | undefined {
  return (EDGE_ERROR_CATALOGUE as Record<string, { zh: string; en: string }>)[code];
}
