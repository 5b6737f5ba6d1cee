import { planReads, type ModbusProfile } from '../../devices/index.js';
import type { DeviceReader } from '../poll/device-reader.js';
import { isSilence, toModbusError } from './modbus-error.js';
import type { ModbusTransport } from './modbus-transport.js';
import { readDevice } from './read-device.js';

/** Reads a Modbus device: its profile's planned blocks from one unit id. */
export function modbusDeviceReader(
  transport: ModbusTransport,
  profile: ModbusProfile,
  unitId: number,
): DeviceReader {
  const plan = planReads(profile);
  return {
    label: `unit ${unitId}`,
    read: (timeoutMs, onTransaction) =>
      readDevice(transport, profile, plan, unitId, timeoutMs, onTransaction),
    codeError: toModbusError,
    isSilence,
    // An exception is the meter's considered answer and a closed line reopens on its own back-off.
    isFinal: (code) => code === 'MODBUS_EXCEPTION' || code === 'MODBUS_CONNECT',
  };
}
