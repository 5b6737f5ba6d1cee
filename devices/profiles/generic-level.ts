import { modbusDevice, type ModbusDefinition } from '../profile-factories.js';

export const definitions: ModbusDefinition[] = [
  /**
   * A generic RS-485 hydrostatic level transmitter (投入式液位变送器) in a water tower or
   * reservoir. Most share the pressure transmitters' register layout: the raw value, its
   * decimal places and unit code are separate registers.
   */
  modbusDevice({
    id: 'generic-level-rs485',
    vendor: 'Generic',
    model: 'RS-485 hydrostatic level transmitter',
    category: 'level-transmitter',
    measurement: 'water',
    description: 'Water level in a tank, tower or reservoir (水塔/蓄水池液位变送器).',
    source:
      'Common transmitter map, as the pressure transmitters: 0x0002 unit code (1 = m, 2 = cm, 3 = mm; codes vary by vendor ⚠), 0x0003 decimals, 0x0004 raw int16.',
    defaultTable: 'holding',
    maxRegistersPerRead: 16,
    maxGap: 8,
    registers: [
      {
        field: 'level_m',
        at: 0x0004,
        type: 'int16',
        decimalShift: {
          decimalsAt: 0x0003,
          unitCodeAt: 0x0002,
          unitFactors: { '1': 1, '2': 0.01, '3': 0.001 },
        },
        validRange: [-0.5, 50],
        deadband: 0.05,
      },
    ],
  }),
];
