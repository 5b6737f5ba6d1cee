import { describe, expect, it } from 'vitest';
import { defaultRules, engineHarness } from './engine-harness.js';

describe('supply rules hold their clear for clearForS', () => {
  it('a voltage swinging in and out of its band is one firing and one resolve', () => {
    const h = engineHarness({ rules: defaultRules(['overvoltage']) });
    // 30 s of a meter polled every 5 s, each reading on the other side of both thresholds.
    for (let i = 0; i < 6; i++) {
      h.telemetry('clinic-power', { voltage_v: i % 2 === 0 ? 253 : 230 });
      h.clock.advance(5_000);
      h.engine.tick();
    }
    expect(h.engine.alerts({ state: 'firing' })).toHaveLength(1);
    // The last swing out was at 25 s: still firing until 30 s of clean readings have passed.
    for (let i = 0; i < 5; i++) {
      h.telemetry('clinic-power', { voltage_v: 230 });
      h.clock.advance(5_000);
    }
    expect(h.engine.alerts({ state: 'firing' })).toHaveLength(1);
    h.telemetry('clinic-power', { voltage_v: 230 });
    expect(h.notifications().map((n) => n.reason)).toEqual(['firing', 'resolved']);
  });
});
