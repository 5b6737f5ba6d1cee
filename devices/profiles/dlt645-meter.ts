import { DLT645_DATA_IDS } from '../dlt645/data-identifiers.js';
import { dlt645Meter, type Dlt645Definition } from '../profile-factories.js';

/** An item whose format is the one the standard gives for its identifier. */
function standardItem(
  field: string,
  dataId: string,
  validRange: [number, number],
  deadband: number,
): Dlt645Definition['items'][number] {
  const known = DLT645_DATA_IDS[dataId];
  if (!known) throw new Error(`data identifier ${dataId} is not in DLT645_DATA_IDS`);
  return {
    field,
    dataId,
    format: { ...known.format },
    validRange,
    deadband,
    description: `${known.zh} / ${known.en}`,
  };
}

export const definitions: Dlt645Definition[] = [
  /**
   * A generic single-phase DL/T 645-2007 household meter, as CHINT DDZY666 and most
   * State Grid smart meters (单相费控智能电能表) speak it on their RS-485 port.
   */
  dlt645Meter({
    id: 'dlt645-single-phase',
    vendor: 'generic (State Grid / CHINT DDZY666 and others)',
    model: 'DL/T 645-2007 single-phase meter',
    description:
      'Single-phase household smart meter read over RS-485 by its nameplate address (单相智能电能表).',
    source:
      'DL/T 645-2007 appendix A data identifiers and formats as quoted by vendors and open-source readers; ' +
      'serial settings 2400 baud 8E1 are the common factory default but vary (some meters 1200 or 9600) ⚠.',
    preambleBytes: 4,
    items: [
      standardItem('total_energy_kwh', '00000000', [0, 1e6], 0.1),
      standardItem('import_energy_kwh', '00010000', [0, 1e6], 0.1),
      standardItem('voltage_v', '02010100', [0, 500], 2),
      standardItem('current_a', '02020100', [-100, 100], 1),
      standardItem('active_power_kw', '02030000', [-25, 25], 0.2),
      standardItem('frequency_hz', '02800002', [40, 70], 0.05),
      standardItem('power_factor_ratio', '02060000', [-1, 1], 0.1),
    ],
  }),
];
