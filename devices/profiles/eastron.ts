import { modbusDevice, type ModbusDefinition } from '../profile-factories.js';

export const definitions: ModbusDefinition[] = [
  /** Eastron SDM120-Modbus: single-phase DIN-rail meter; input registers (FC 04), IEEE-754 float32, high word first. */
  modbusDevice({
    id: 'eastron-sdm120',
    vendor: 'Eastron',
    model: 'SDM120-Modbus',
    category: 'electricity-meter',
    measurement: 'electricity',
    description: 'Single-phase 230 V energy meter for a room or a small building (一般单相电能表).',
    source:
      'Eastron SDM120 Modbus protocol: input registers 30001.. as 0-based addresses, float32 big-endian, no scaling.',
    defaultTable: 'input',
    // Holding 40021: "Modbus node address", a float32 like every Eastron setting.
    unitIdRegister: { at: 0x0014, type: 'float32' },
    maxRegistersPerRead: 80,
    maxGap: 40,
    registers: [
      { field: 'voltage_v', at: 0x0000, type: 'float32', validRange: [0, 500], deadband: 2 },
      { field: 'current_a', at: 0x0006, type: 'float32', validRange: [0, 100], deadband: 1 },
      { field: 'active_power_w', at: 0x000c, type: 'float32', validRange: [-25000, 25000], deadband: 200 },
      { field: 'power_factor_ratio', at: 0x001e, type: 'float32', validRange: [-1, 1], deadband: 0.1 },
      { field: 'frequency_hz', at: 0x0046, type: 'float32', validRange: [40, 70], deadband: 0.05 },
      { field: 'import_energy_kwh', at: 0x0048, type: 'float32', validRange: [0, 1e9], deadband: 0.1 },
      { field: 'total_energy_kwh', at: 0x0156, type: 'float32', validRange: [0, 1e9], deadband: 0.1 },
    ],
  }),
];
