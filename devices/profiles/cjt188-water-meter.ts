import { cjt188Meter, type Cjt188Definition } from '../profile-factories.js';

export const definitions: Cjt188Definition[] = [
  /**
   * A household cold-water meter with an RS-485 or M-Bus reading port speaking
   * CJ/T 188-2004 (户用冷水水表, meter type 10H), as most village water meters sold for
   * centralised reading do. One request (901F) brings the totals and the status.
   */
  cjt188Meter({
    id: 'cjt188-cold-water',
    vendor: 'generic (CJ/T 188 household water meters)',
    model: 'CJ/T 188-2004 cold water meter',
    description:
      'Household cold-water meter read over RS-485 / M-Bus by its 14-digit address (户用冷水水表).',
    source:
      'CJ/T 188-2004 frame format, data identifier 901F and status bits as quoted by vendors and open-source readers ' +
      '(docs/cjt188.md); serial 2400 baud 8E1 is the common factory default ⚠.',
    meterType: 0x10,
    edition: '2004',
    preambleBytes: 2,
    items: [
      { field: 'forward_total_m3', part: 'current_total', validRange: [0, 999999.99], deadband: 0.01 },
      { field: 'settlement_total_m3', part: 'settlement_total', validRange: [0, 999999.99], deadband: 0.01 },
      { field: 'valve_state_code', part: 'valve_state' },
      { field: 'battery_low_code', part: 'battery_low' },
    ],
  }),
];
