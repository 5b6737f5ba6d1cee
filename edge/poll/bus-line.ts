import { getCjt188Profile, getDlt645Profile, getModbusProfile } from '../../devices/index.js';
import type { Logger } from '../../runtime/index.js';
import type { PolledBusConfig } from '../config/edge-config-schema.js';
import { cjt188DeviceReader } from '../cjt188/cjt188-device-reader.js';
import { createCjt188Transport } from '../cjt188/cjt188-transport.js';
import { createDlt645Transport } from '../dlt645/create-dlt645-line.js';
import { createByteLineScheduler } from './byte-line-scheduler.js';
import { dlt645DeviceReader } from '../dlt645/dlt645-device-reader.js';
import type { BusScheduler } from '../modbus/bus-scheduler.js';
import { createScheduler, createTransport } from '../modbus/create-transport.js';
import { modbusDeviceReader } from '../modbus/modbus-device-reader.js';
import type { DeviceReader, PolledDevice } from './device-reader.js';

/** A bus ready to poll: its line, how it is shared, and a reader per device on it. */
export interface BusLine {
  readonly protocol: PolledBusConfig['protocol'];
  readonly description: string;
  readonly scheduler: BusScheduler;
  readonly devices: ReadonlyArray<{ device: PolledDevice; reader: DeviceReader }>;
  close(): Promise<void>;
}

/** Opens nothing yet: the line is opened by the first read. Throws if a device's profile is unknown. */
export function createBusLine(bus: PolledBusConfig, logger: Logger): BusLine {
  if (bus.protocol === 'dlt645') {
    const transport = createDlt645Transport(bus, logger);
    return {
      protocol: bus.protocol,
      description: transport.description,
      scheduler: createByteLineScheduler(bus),
      devices: bus.devices.map((device) => ({
        device,
        reader: dlt645DeviceReader(transport, getDlt645Profile(device.profile), device.address),
      })),
      close: () => transport.close(),
    };
  }
  if (bus.protocol === 'cjt188') {
    const transport = createCjt188Transport(bus, logger);
    return {
      protocol: bus.protocol,
      description: transport.description,
      scheduler: createByteLineScheduler(bus),
      devices: bus.devices.map((device) => ({
        device,
        reader: cjt188DeviceReader(transport, getCjt188Profile(device.profile), device.address),
      })),
      close: () => transport.close(),
    };
  }
  const transport = createTransport(bus, logger);
  return {
    protocol: bus.protocol,
    description: transport.description,
    scheduler: createScheduler(bus),
    devices: bus.devices.map((device) => ({
      device,
      reader: modbusDeviceReader(transport, getModbusProfile(device.profile), device.unitId),
    })),
    close: () => transport.close(),
  };
}
