import { describe, expect, it } from 'vitest';
import { findGaps } from '../compute/gaps.js';
import { holdLastValues } from '../compute/held-values.js';
import type { Minute } from '../minute-series.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 1);

describe('minutes of a device under report by exception', () => {
  // A heartbeat with every field, a minute with only the power that moved, the next heartbeat.
  const minutes: Minute[] = [
    { t: T0, v: { voltage_v: 230, active_power_w: 500, import_energy_kwh: 10, samples: 1 } },
    { t: T0 + 2 * MIN, v: { active_power_w: 900, samples: 1 } },
    { t: T0 + 5 * MIN, v: { voltage_v: 229, active_power_w: 900, import_energy_kwh: 10.1, samples: 1 } },
  ];

  it('holds every field’s last value through the quiet minutes, counting no samples there', () => {
    const held = holdLastValues(minutes, T0 + 7 * MIN, 305_000);
    expect(held.map((m) => (m.t - T0) / MIN)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(held[1]?.v).toEqual({ voltage_v: 230, active_power_w: 500, import_energy_kwh: 10, samples: 0 });
    expect(held[3]?.v).toEqual({ voltage_v: 230, active_power_w: 900, import_energy_kwh: 10, samples: 0 });
    expect(held.reduce((n, m) => n + (m.v.samples ?? 0), 0)).toBe(3);
  });

  it('assumes nothing past the quiet limit: a silent device leaves its minutes empty', () => {
    const held = holdLastValues(minutes.slice(0, 1), T0 + 30 * MIN, 305_000);
    expect(held.map((m) => (m.t - T0) / MIN)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('lists no gap between heartbeats, and a silence longer than the quiet limit as one', () => {
    expect(findGaps(minutes, T0, T0 + 6 * MIN, 305)).toEqual([]);
    const silent = [...minutes, { t: T0 + 20 * MIN, v: { samples: 1 } }];
    expect(findGaps(silent, T0, T0 + 21 * MIN, 305)).toEqual([{ fromMs: T0 + 6 * MIN, toMs: T0 + 20 * MIN }]);
  });
});
