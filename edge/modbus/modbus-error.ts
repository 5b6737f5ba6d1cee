import { CodedError, isCodedError } from '../../runtime/index.js';

interface ModbusSerialError {
  name?: string;
  message?: string;
  errno?: string;
  modbusCode?: number;
}

/** Maps what modbus-serial throws onto the coded errors a technician can act on. */
export function toModbusError(error: unknown, where: string): CodedError {
  if (isCodedError(error)) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as ModbusSerialError;
  const message = e.message ?? String(error);
  // A TCP-to-RS-485 gateway answers 0x0A/0x0B when the meter behind it is silent: that is a timeout.
  if (e.modbusCode === 0x0a || e.modbusCode === 0x0b) {
    return new CodedError('MODBUS_TIMEOUT', `${where}: serial gateway reports no answer (${message})`, {
      cause: error,
    });
  }
  if (typeof e.modbusCode === 'number') {
    return new CodedError('MODBUS_EXCEPTION', `${where}: exception ${e.modbusCode} (${message})`, {
      cause: error,
    });
  }
  if (e.errno === 'ETIMEDOUT' || e.name === 'TransactionTimedOutError') {
    return new CodedError('MODBUS_TIMEOUT', `${where}: no answer`, { cause: error });
  }
  // Port not open, connection refused or reset: the line itself is gone.
  return new CodedError('MODBUS_CONNECT', `${where}: ${message}`, { cause: error });
}
