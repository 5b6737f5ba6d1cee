import type { z } from 'zod';
import type {
  cjt188ProfileSchema,
  dlt645ProfileSchema,
  modbusProfileSchema,
  mqttProfileSchema,
} from './profile-schema.js';

/**
 * Small factories a vendor file builds its `definitions` with: each fills in what its kind
 * of device shares (the protocol, the usual serial settings), and a definition states only
 * what is its own. devices/catalogue.ts collects every vendor file's array.
 */
export type ModbusDefinition = z.input<ReturnType<typeof modbusProfileSchema>>;
export type MqttDefinition = z.input<ReturnType<typeof mqttProfileSchema>>;
export type Dlt645Definition = z.input<ReturnType<typeof dlt645ProfileSchema>>;
export type Cjt188Definition = z.input<ReturnType<typeof cjt188ProfileSchema>>;
export type ProfileDefinition = ModbusDefinition | MqttDefinition | Dlt645Definition | Cjt188Definition;

/** What most RS-485 Modbus devices ship with: 9600 baud, no parity, 8 data bits, 1 stop bit. */
export const SERIAL_9600_8N1 = { baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 } as const;
/** The meter protocols' common factory default (DL/T 645, CJ/T 188): 2400 baud, even parity. ⚠ varies. */
export const SERIAL_2400_8E1 = { baudRate: 2400, parity: 'even', dataBits: 8, stopBits: 1 } as const;

/** Keys a factory fills in when the definition leaves them out. */
type WithDefaults<T, Filled extends keyof T> = Omit<T, Filled | 'protocol'> & Partial<Pick<T, Filled>>;

/**
 * A Modbus device (RTU or TCP): unless it says otherwise, 9600 8N1, unit id 1, registers
 * numbered by address, big-endian words with the high word first.
 */
export function modbusDevice(
  definition: WithDefaults<
    ModbusDefinition,
    'serial' | 'numbering' | 'defaultWordOrder' | 'defaultByteOrder' | 'defaultUnitId'
  >,
): ModbusDefinition {
  return {
    protocol: 'modbus',
    serial: SERIAL_9600_8N1,
    numbering: 'address',
    defaultWordOrder: 'high-first',
    defaultByteOrder: 'big',
    defaultUnitId: 1,
    ...definition,
  };
}

/** A device that reports over MQTT on the gateway's LAN broker through its vendor topics. */
export function mqttDevice(definition: Omit<MqttDefinition, 'protocol'>): MqttDefinition {
  return { protocol: 'mqtt', ...definition };
}

/** A DL/T 645-2007 electricity meter: 2400 8E1 unless it says otherwise. */
export function dlt645Meter(
  definition: WithDefaults<Dlt645Definition, 'serial' | 'category' | 'measurement'>,
): Dlt645Definition {
  return {
    protocol: 'dlt645',
    category: 'electricity-meter',
    measurement: 'electricity',
    serial: SERIAL_2400_8E1,
    ...definition,
  };
}

/** A CJ/T 188 water meter: 2400 8E1 unless it says otherwise. */
export function cjt188Meter(
  definition: WithDefaults<Cjt188Definition, 'serial' | 'category' | 'measurement'>,
): Cjt188Definition {
  return {
    protocol: 'cjt188',
    category: 'water-flow-meter',
    measurement: 'water',
    serial: SERIAL_2400_8E1,
    ...definition,
  };
}
