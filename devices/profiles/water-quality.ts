import { modbusDevice, type ModbusDefinition } from '../profile-factories.js';

export const definitions: ModbusDefinition[] = [
  /**
   * A multi-parameter drinking-water probe (turbidity, pH, free chlorine).
   *
   * MADE UP: no vendor manual was read for this map. It follows what such probes
   * commonly do (holding registers, float32 big-endian, one register pair per
   * parameter) so that GB 5749 checks can be built and tested. Replace it with the
   * installed probe's real map before trusting the readings.
   */
  modbusDevice({
    id: 'generic-water-quality',
    vendor: 'Generic',
    model: 'Multi-parameter water quality probe (illustrative map)',
    category: 'water-quality-probe',
    measurement: 'water',
    description: 'Drinking-water quality at the village supply (饮用水水质: 浊度, pH, 游离氯).',
    source: 'Illustrative register map made up for this project; not from a vendor manual.',
    defaultTable: 'holding',
    maxRegistersPerRead: 32,
    maxGap: 8,
    registers: [
      { field: 'turbidity_ntu', at: 0x0000, type: 'float32', validRange: [0, 4000], deadband: 0.05 },
      { field: 'water_ph', at: 0x0002, type: 'float32', validRange: [0, 14], deadband: 0.05 },
      { field: 'free_chlorine_mgl', at: 0x0004, type: 'float32', validRange: [0, 20], deadband: 0.02 },
      { field: 'water_temperature_c', at: 0x0006, type: 'float32', validRange: [-10, 60], deadband: 0.5 },
    ],
  }),
];
