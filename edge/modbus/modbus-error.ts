import { isCodedError } from '../../runtime/index.js';
import { EdgeError } from '../errors.js';

interface ModbusSerialError {
  name?: string;
  message?: string;
  errno?: string;
  modbusCode?: number;
}

/** What modbus-serial says when bytes arrived but were not the answer asked for. */
const BAD_FRAME_PATTERN = /CRC error|Data length error|Unexpected data error|Bad Client Address/i;

/** Maps what modbus-serial throws onto the coded errors a technician can act on. */
export function toModbusError(error: unknown, where: string): EdgeError {
  if (isCodedError(error)) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as ModbusSerialError;
  const message = e.message ?? String(error);
  // A TCP-to-RS-485 gateway answers 0x0A/0x0B when the meter behind it is silent: that is a timeout.
  if (e.modbusCode === 0x0a || e.modbusCode === 0x0b) {
    return new EdgeError('MODBUS_TIMEOUT', `${where}: serial gateway reports no answer (${message})`, {
      cause: error,
    });
  }
  if (typeof e.modbusCode === 'number') {
    return new EdgeError('MODBUS_EXCEPTION', `${where}: exception ${e.modbusCode} (${message})`, {
      cause: error,
    });
  }
  if (e.errno === 'ETIMEDOUT' || e.name === 'TransactionTimedOutError') {
    return new EdgeError('MODBUS_TIMEOUT', `${where}: no answer`, { cause: error });
  }
  if (BAD_FRAME_PATTERN.test(message)) {
    return new EdgeError('MODBUS_BAD_FRAME', `${where}: ${message}`, { cause: error });
  }
  // Port not open, connection refused or reset: the line itself is gone.
  return new EdgeError('MODBUS_CONNECT', `${where}: ${message}`, { cause: error });
}

/** Codes that mean the meter said nothing at all: only these count towards offline. */
export function isSilence(code: string): boolean {
  return code === 'MODBUS_TIMEOUT' || code === 'MODBUS_CONNECT';
}
