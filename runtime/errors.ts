import { CJT188_ERRORS, DLT645_ERRORS } from '../devices/index.js';

/**
 * Coded errors with a message a technician can act on, in Chinese first and English.
 * The code is stable (logs, metrics labels, dead letters); the text may improve.
 * A meter protocol's codes live with the protocol (devices/dlt645/errors.ts,
 * devices/cjt188/errors.ts): one catalogue per domain, gathered here.
 */
export const ERROR_CATALOGUE = {
  CONFIG_INVALID: { zh: '配置无效', en: 'Configuration is invalid' },
  MODULE_START_FAILED: {
    zh: '村级进程中的一个服务无法启动，整个进程退出：查看日志中该服务的错误',
    en: 'A service of the village process could not start, so the process exits: see that service in the log',
  },
  MODULE_CRASHED: {
    zh: '村级进程中的一个服务崩溃，整个进程退出，由守护进程重启',
    en: 'A service of the village process crashed; the process exits for its supervisor to restart it',
  },
  PAYLOAD_TOO_LARGE: { zh: '消息过大', en: 'Payload is larger than allowed' },
  PAYLOAD_NOT_JSON: { zh: '消息不是有效的 JSON', en: 'Payload is not valid JSON' },
  PAYLOAD_NOT_DECODABLE: {
    zh: '压缩消息无法解压（gzip 数据损坏或不完整）',
    en: 'Compressed payload cannot be decompressed (gzip data corrupt or cut short)',
  },
  PAYLOAD_INVALID: { zh: '消息内容不符合格式', en: 'Payload does not match its schema' },
  TOPIC_INVALID: { zh: '主题格式错误', en: 'Topic is not a valid v1 topic' },
  SITE_UNKNOWN: { zh: '未配置的站点', en: 'Site is not configured for this service' },
  GATEWAY_UNKNOWN: { zh: '未登记的网关', en: 'Gateway is not registered for this site' },
  CLOCK_SKEW: {
    zh: '设备时间偏差过大：检查网关时钟和 NTP',
    en: 'Timestamp too far from server time: check the gateway clock and NTP',
  },
  INGEST_FAILED: { zh: '入库服务内部错误', en: 'Internal ingest failure' },
  DEVICE_UNKNOWN: { zh: '未登记的设备', en: 'Device is not registered for this site' },
  GATEWAY_MISMATCH: { zh: '设备不属于该网关', en: 'Device is registered to another gateway' },
  FIELD_UNKNOWN: { zh: '设备型号没有该字段', en: 'Field is not part of the device profile' },
  EVENT_UNKNOWN: { zh: '设备型号不产生该事件', en: 'Event type is not produced by this device profile' },
  MODBUS_TIMEOUT: {
    zh: 'Modbus 读取超时：检查接线、地址和波特率',
    en: 'Modbus read timed out: check wiring, unit id and baud rate',
  },
  MODBUS_EXCEPTION: { zh: 'Modbus 设备返回异常码', en: 'Modbus device answered with an exception' },
  MODBUS_BAD_FRAME: {
    zh: 'Modbus 应答乱码或 CRC 校验错误：检查 A/B 线、终端电阻、波特率和校验位，以及总线上是否有重复地址',
    en: 'Modbus answer garbled or failed its CRC: check the A/B wires, termination, baud rate and parity, and for duplicate unit ids',
  },
  READING_UNUSABLE: {
    zh: '设备应答了，但所有数值都无法使用（非数值或超出有效范围）：检查设备型号配置、字节序和设备本身',
    en: 'The device answered, but every value was unusable (NaN or outside its valid range): check the configured model, word order and the device itself',
  },
  BUFFER_WRITE_FAILED: {
    zh: '本地缓存写入失败：检查存储卡剩余空间',
    en: 'Cannot write the local buffer: check free space on the storage card',
  },
  MODBUS_CONNECT: { zh: '无法连接 Modbus 总线', en: 'Cannot connect to the Modbus bus' },
  ...DLT645_ERRORS,
  ...CJT188_ERRORS,
  INFLUX_UNAVAILABLE: { zh: 'InfluxDB 不可用', en: 'InfluxDB is unavailable' },
  INFLUX_REJECTED: { zh: 'InfluxDB 拒绝写入', en: 'InfluxDB rejected the write' },
  AUTH_FAILED: { zh: '认证失败', en: 'Authentication failed' },
  ACL_DENIED: { zh: '无权访问该主题', en: 'Not allowed on this topic' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export class CodedError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    const entry = ERROR_CATALOGUE[code];
    super(`${code}: ${entry.zh} / ${entry.en}${detail ? ` — ${detail}` : ''}`, options);
    this.name = 'CodedError';
    this.code = code;
    this.detail = detail;
  }
}

export function isCodedError(error: unknown): error is CodedError {
  return error instanceof CodedError;
}

/** The catalogue text of a code in both languages, for status pages and CLIs. */
export function describeCode(code: string): { zh: string; en: string } | undefined {
  return (ERROR_CATALOGUE as Record<string, { zh: string; en: string }>)[code];
}
