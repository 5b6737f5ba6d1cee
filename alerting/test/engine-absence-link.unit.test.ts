import { describe, expect, it } from 'vitest';
import { AlertEngine, type EngineOutput } from '../engine/alert-engine.js';
import { FakeClock } from './fake-clock.js';
import { defaultRules, demoSites, GATEWAY, SITE, T0 } from './engine-harness.js';

/**
 * Absence is about the meters, not about alerting's own link: while alerting is cut
 * off from the broker (or has just connected) no meter may be called silent.
 */
describe('absence rules and the input link', () => {
  function linkedEngine() {
    const clock = new FakeClock(T0);
    const outputs: EngineOutput[] = [];
    const engine = new AlertEngine({
      rules: defaultRules(['meter-silent']),
      sites: demoSites(),
      clock,
      inputConnectedAtStart: false,
      onOutput: (output) => outputs.push(output),
    });
    let seq = 0;
    const reading = (device: string) =>
      engine.telemetry(SITE, GATEWAY, device, { ts: clock.now(), seq: ++seq, values: { pressure_mpa: 0.3 } });
    const run = (ms: number, each?: () => void) => {
      for (let t = 0; t < ms; t += 1_000) {
        clock.advance(1_000);
        each?.();
        engine.tick();
      }
    };
    const silent = () =>
      engine
        .alerts({ ruleId: 'meter-silent' })
        .filter((a) => a.state !== 'resolved')
        .map((a) => a.device)
        .sort();
    return { engine, clock, reading, run, silent };
  }

  it('judges nothing before the first connection, then waits one full window after it', () => {
    const h = linkedEngine();
    // Ten minutes without a broker: every meter is "silent", none may be reported.
    h.run(600_000);
    expect(h.silent()).toEqual([]);
    h.engine.inputConnection(true);
    // clinic-pressure (5 s × 3 = 15 s) keeps reporting; nobody else does.
    h.run(15_000, () => h.reading('clinic-pressure'));
    expect(h.silent()).toEqual([]);
    h.run(11_000, () => h.reading('clinic-pressure'));
    // Only now has the 5 s meters' window passed since the connection; the 10 s meters (30 s) still wait.
    const afterShortWindow = h.silent();
    expect(afterShortWindow).toContain('maker-hall-power');
    expect(afterShortWindow).not.toContain('clinic-pressure');
    expect(afterShortWindow).not.toContain('maker-hall-flow');
    h.run(10_000, () => h.reading('clinic-pressure'));
    expect(h.silent()).toContain('maker-hall-flow');
  });

  it('a broker outage of alerting does not make meters silent, and a reconnect restarts the window', () => {
    const h = linkedEngine();
    h.engine.inputConnection(true);
    h.run(10_000, () => h.reading('clinic-pressure'));
    expect(h.silent()).toEqual([]);

    h.engine.inputConnection(false);
    h.run(120_000);
    expect(h.silent()).toEqual([]);

    h.engine.inputConnection(true);
    h.run(14_000);
    expect(h.silent()).toEqual([]);
    h.run(3_000);
    // A meter that really stays silent after the reconnect is still caught.
    expect(h.silent()).toContain('clinic-pressure');
  });

  it('a reconnect while already connected does not move the window', () => {
    const h = linkedEngine();
    h.engine.inputConnection(true);
    h.run(10_000);
    h.engine.inputConnection(true);
    h.run(7_000);
    expect(h.silent()).toContain('clinic-pressure');
  });

  it("the gateway's report that a meter went offline does not end the meter's silence", () => {
    const h = linkedEngine();
    h.engine.inputConnection(true);
    h.run(16_000);
    expect(h.silent()).toContain('clinic-pressure');
    // Three failed polls later the gateway says so: that is no reading from the meter.
    h.engine.event(SITE, GATEWAY, 'clinic-pressure', {
      ts: h.clock.now(),
      seq: 1,
      type: 'device_offline',
      data: { failures: 3 },
    });
    expect(h.silent()).toContain('clinic-pressure');
    h.run(10_000);
    // Still the one alert (pending, then firing), never resolved in between.
    const ofMeter = h.engine.alerts({ ruleId: 'meter-silent' }).filter((a) => a.device === 'clinic-pressure');
    expect(ofMeter.map((a) => a.state)).toEqual(['firing']);
    // It answers again: both the gateway's word and a reading end the silence.
    h.engine.event(SITE, GATEWAY, 'clinic-pressure', {
      ts: h.clock.now(),
      seq: 2,
      type: 'device_online',
      data: {},
    });
    expect(h.silent()).not.toContain('clinic-pressure');
  });
});
