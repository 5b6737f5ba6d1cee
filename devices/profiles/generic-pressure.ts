import { modbusDevice, type ModbusDefinition } from '../profile-factories.js';

export const definitions: ModbusDefinition[] = [
  /**
   * A generic RS-485 pressure transmitter (МПД-380 style): the raw value, its decimal
   * places, offset and unit code are separate registers, so the decoded pressure is
   * (raw + offset) / 10^decimals converted from the reported unit into MPa.
   */
  modbusDevice({
    id: 'generic-pressure-rs485',
    vendor: 'Generic',
    model: 'RS-485 pressure transmitter',
    category: 'pressure-transmitter',
    measurement: 'water',
    description: 'Pipe pressure transmitter at a building inlet or a main (管网压力变送器).',
    source:
      'Common transmitter map: 0x0002 unit code (3 = bar, 6 = psi), 0x0003 decimals, 0x0004 raw int16, 0x000C offset.',
    defaultTable: 'holding',
    maxRegistersPerRead: 16,
    maxGap: 8,
    registers: [
      {
        field: 'pressure_mpa',
        at: 0x0004,
        type: 'int16',
        decimalShift: {
          decimalsAt: 0x0003,
          offsetAt: 0x000c,
          unitCodeAt: 0x0002,
          unitFactors: { '3': 0.1, '6': 0.00689476 },
        },
        validRange: [-0.1, 2.5],
        deadband: 0.01,
      },
    ],
  }),
];
