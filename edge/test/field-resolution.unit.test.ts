import { describe, expect, it } from 'vitest';
import { fieldResolutions, getModbusProfile, registerFieldSchema } from '../../devices/index.js';
import {
  ReportByException,
  roundToResolutions,
  type ReportingRule,
} from '../upstream/report-by-exception.js';
import type { CanonicalSink } from '../upstream/canonical-publisher.js';

describe('resolution under report by exception', () => {
  it('derives a power of ten at most a tenth of each deadband, or takes the declared one', () => {
    const dtsu = fieldResolutions(getModbusProfile('chint-dtsu666'));
    expect(dtsu).toMatchObject({
      voltage_l1_v: 0.1, // deadband 2 V
      active_power_w: 100, // 1000 W
      power_factor_ratio: 0.01, // 0.1
      frequency_hz: 0.001, // 0.05 Hz
      import_energy_kwh: 0.01, // 0.5 kWh
    });
    // Whole-m³ totalisers declare no deadband: sent as read.
    expect(fieldResolutions(getModbusProfile('tuf-2000m'))).not.toHaveProperty('forward_total_m3');
  });

  it('rounds to the step without binary noise, and leaves fields without one as read', () => {
    const rounded = roundToResolutions(
      { voltage_v: 229.73455810546875, active_power_w: 4_321.5, pf: 0.30000000000000004, code: 3 },
      { voltage_v: 0.1, active_power_w: 100, pf: 0.01 },
    );
    expect(rounded).toEqual({ voltage_v: 229.7, active_power_w: 4_300, pf: 0.3, code: 3 });
    expect(JSON.stringify(roundToResolutions({ v: 0.1 + 0.2 }, { v: 0.001 }))).toBe('{"v":0.3}');
  });

  it('judges the deadband on the rounded values it sends', () => {
    const sent: Array<Record<string, number>> = [];
    const sink: CanonicalSink = { telemetry: (_d, values) => sent.push(values), event: () => undefined };
    const rule: ReportingRule = {
      maxIntervalMs: 60_000,
      deadbands: { voltage_v: 2 },
      resolutions: { voltage_v: 0.1 },
    };
    const rbe = new ReportByException(sink, new Map([['meter', rule]]));
    rbe.telemetry('meter', { voltage_v: 229.73455810546875 }, 0);
    rbe.telemetry('meter', { voltage_v: 231.7199 }, 1_000); // rounds to 231.7: 2.0 from 229.7, not past it
    rbe.telemetry('meter', { voltage_v: 231.76 }, 2_000); // 231.8
    expect(sent).toEqual([{ voltage_v: 229.7 }, { voltage_v: 231.8 }]);
  });

  it('a profile may declare a resolution only as a power of ten at most half its deadband', () => {
    const field = { field: 'voltage_v', at: 0, type: 'float32' } as const;
    expect(registerFieldSchema().safeParse({ ...field, deadband: 2, resolution: 0.1 }).success).toBe(true);
    expect(registerFieldSchema().safeParse({ ...field, deadband: 2, resolution: 0.2 }).success).toBe(false);
    expect(registerFieldSchema().safeParse({ ...field, deadband: 2, resolution: 10 }).success).toBe(false);
    expect(registerFieldSchema().safeParse({ ...field, resolution: 0.1 }).success).toBe(false);
  });
});
