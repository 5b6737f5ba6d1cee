import { modbusDevice, type ModbusDefinition } from '../profile-factories.js';

export const definitions: ModbusDefinition[] = [
  /**
   * TUF-2000M ultrasonic flow meter. Its manual numbers registers from 1 ("R1"), so the
   * protocol address is number − 1, and its 32-bit values come low word first:
   * the manual's example registers 0x806B 0x4212 are the float 0x4212806B ≈ 36.6254.
   */
  modbusDevice({
    id: 'tuf-2000m',
    vendor: 'TUF',
    model: 'TUF-2000M',
    category: 'water-flow-meter',
    measurement: 'water',
    description: 'Clamp-on ultrasonic flow meter on a supply main (外夹式超声波流量计).',
    source:
      'TUF-2000M Modbus manual: R1 flow, R5 velocity, R9/R13/R25 totalisers, R33/R35 temperatures, R72 error code, R92 signal quality; 9600 8N1, id 1.',
    numbering: 'one-based',
    defaultTable: 'holding',
    defaultWordOrder: 'low-first',
    maxRegistersPerRead: 100,
    maxGap: 12,
    registers: [
      { field: 'flow_m3h', at: 1, type: 'float32', validRange: [-10000, 10000], deadband: 0.1 },
      { field: 'velocity_mps', at: 5, type: 'float32', validRange: [-30, 30], deadband: 0.05 },
      { field: 'forward_total_m3', at: 9, type: 'int32', validRange: [0, 2147483647] },
      { field: 'reverse_total_m3', at: 13, type: 'int32', validRange: [0, 2147483647] },
      { field: 'net_total_m3', at: 25, type: 'int32' },
      { field: 'supply_temperature_c', at: 33, type: 'float32', validRange: [-40, 150], deadband: 0.5 },
      { field: 'return_temperature_c', at: 35, type: 'float32', validRange: [-40, 150], deadband: 0.5 },
      { field: 'error_code', at: 72, type: 'uint16' },
      { field: 'signal_quality_pct', at: 92, type: 'uint16', validRange: [0, 100], deadband: 5 },
    ],
  }),
];
