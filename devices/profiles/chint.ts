import { modbusDevice, type ModbusDefinition } from '../profile-factories.js';

export const definitions: ModbusDefinition[] = [
  /**
   * CHINT DDSU666: single-phase meter, holding registers (FC 03), float32 in engineering
   * units. Byte order is big-endian in community integrations; the manual is ambiguous.
   */
  modbusDevice({
    id: 'chint-ddsu666',
    vendor: 'CHINT 正泰',
    model: 'DDSU666',
    category: 'electricity-meter',
    measurement: 'electricity',
    description: 'Single-phase DIN-rail meter common in Chinese distribution boxes (单相导轨表).',
    source: 'CHINT DDSU666 Modbus map as used by community integrations: 0x2000.. float32, energy 0x4000.',
    defaultTable: 'holding',
    maxRegistersPerRead: 60,
    maxGap: 16,
    registers: [
      { field: 'voltage_v', at: 0x2000, type: 'float32', validRange: [0, 500], deadband: 2 },
      { field: 'current_a', at: 0x2002, type: 'float32', validRange: [0, 100], deadband: 1 },
      { field: 'active_power_kw', at: 0x2004, type: 'float32', validRange: [-25, 25], deadband: 0.2 },
      { field: 'reactive_power_kvar', at: 0x2006, type: 'float32', validRange: [-25, 25], deadband: 0.5 },
      { field: 'power_factor_ratio', at: 0x200a, type: 'float32', validRange: [-1, 1], deadband: 0.1 },
      { field: 'frequency_hz', at: 0x200e, type: 'float32', validRange: [40, 70], deadband: 0.05 },
      { field: 'total_energy_kwh', at: 0x4000, type: 'float32', validRange: [0, 1e9], deadband: 0.1 },
      { field: 'export_energy_kwh', at: 0x400a, type: 'float32', validRange: [0, 1e9], deadband: 0.1 },
    ],
  }),
  /**
   * CHINT DTSU666: three-phase meter, FC 03, float32 big-endian whose values are in
   * scaled units: voltage in 0.1 V, current in 0.001 A, power in 0.1 W, PF in 0.001,
   * frequency in 0.01 Hz. Energies are plain kWh.
   */
  modbusDevice({
    id: 'chint-dtsu666',
    vendor: 'CHINT 正泰',
    model: 'DTSU666',
    category: 'electricity-meter',
    measurement: 'electricity',
    description: 'Three-phase four-wire meter for a building feeder (三相四线电能表).',
    source:
      'CHINT DTSU666 Modbus map: Ua 0x2006 ×0.1, Ia 0x200C ×0.001, Pt 0x2012 ×0.1, PFt 0x202A ×0.001, Freq 0x2044 ×0.01, ImpEp 0x401E, ExpEp 0x4028.',
    defaultTable: 'holding',
    maxRegistersPerRead: 80,
    maxGap: 64,
    registers: [
      { field: 'voltage_l1_v', at: 0x2006, type: 'float32', scale: 0.1, validRange: [0, 500], deadband: 2 },
      { field: 'voltage_l2_v', at: 0x2008, type: 'float32', scale: 0.1, validRange: [0, 500], deadband: 2 },
      { field: 'voltage_l3_v', at: 0x200a, type: 'float32', scale: 0.1, validRange: [0, 500], deadband: 2 },
      {
        field: 'current_l1_a',
        at: 0x200c,
        type: 'float32',
        scale: 0.001,
        validRange: [0, 1000],
        deadband: 2,
      },
      {
        field: 'current_l2_a',
        at: 0x200e,
        type: 'float32',
        scale: 0.001,
        validRange: [0, 1000],
        deadband: 2,
      },
      {
        field: 'current_l3_a',
        at: 0x2010,
        type: 'float32',
        scale: 0.001,
        validRange: [0, 1000],
        deadband: 2,
      },
      {
        field: 'active_power_w',
        at: 0x2012,
        type: 'float32',
        scale: 0.1,
        validRange: [-500000, 500000],
        deadband: 1000,
      },
      {
        field: 'power_factor_ratio',
        at: 0x202a,
        type: 'float32',
        scale: 0.001,
        validRange: [-1, 1],
        deadband: 0.1,
      },
      {
        field: 'frequency_hz',
        at: 0x2044,
        type: 'float32',
        scale: 0.01,
        validRange: [40, 70],
        deadband: 0.05,
      },
      { field: 'import_energy_kwh', at: 0x401e, type: 'float32', validRange: [0, 1e9], deadband: 0.5 },
      { field: 'export_energy_kwh', at: 0x4028, type: 'float32', validRange: [0, 1e9], deadband: 0.5 },
    ],
  }),
];
