import { describe, expect, it } from 'vitest';
import type { Rule } from '../rules/rule-schema.js';
import { defaultRules, engineHarness, SITE } from './engine-harness.js';

describe('acknowledge, silences, reminders and escalation', () => {
  it('escalates an unacknowledged critical alert and reminds until someone acknowledges', () => {
    const h = engineHarness({
      rules: defaultRules(['fire-alarm']),
      policy: { remindEveryS: { critical: 600 }, escalateAfterS: { critical: 900 } },
    });
    h.event('clinic-fire-panel', 'fire_alarm');
    h.run(25 * 60_000, 60_000);
    expect(h.notifications().map((n) => n.reason)).toEqual(['firing', 'reminder', 'escalation', 'reminder']);
    expect(new Set(h.notifications().map((n) => n.id)).size).toBe(4);
    const id = h.engine.alerts()[0]?.id ?? '';
    const acked = h.engine.acknowledge(id, '王师傅', '已到现场');
    expect(acked?.ack).toMatchObject({ by: '王师傅', comment: '已到现场', at: h.clock.now() });
    h.run(60 * 60_000, 60_000);
    expect(h.notifications().map((n) => n.reason)).toEqual([
      'firing',
      'reminder',
      'escalation',
      'reminder',
      'acknowledged',
    ]);
    expect(h.engine.alert(id)?.timeline.map((e) => e.type)).toEqual([
      'pending',
      'firing',
      'notified',
      'reminder',
      'escalated',
      'reminder',
      'acknowledged',
    ]);
  });

  it('a zone maintenance window holds notifications; they go out when it ends if the alert still fires', () => {
    const h = engineHarness({ rules: defaultRules(['door-forced', 'camera-offline']) });
    const now = h.clock.now();
    const silence = h.engine.addSilence({
      kind: 'maintenance',
      matchers: { site: SITE, zone: 'dining' },
      startsAt: now,
      endsAt: now + 30 * 60_000,
      createdBy: 'admin',
      comment: '检修',
    });
    h.event('canteen-door', 'door_forced');
    h.event('clinic-door', 'door_forced');
    h.event('shop-camera', 'camera_offline');
    expect(h.notifications().map((n) => n.alert.device)).toEqual(['clinic-door']);
    h.event('canteen-door', 'door_closed');
    h.run(31 * 60_000, 60_000);
    expect(h.notifications('firing').map((n) => n.alert.device)).toEqual(['clinic-door', 'shop-camera']);
    expect(h.notifications('resolved')).toHaveLength(0);
    expect(h.outputs.some((o) => o.silencesAdded.some((s) => s.id === silence.id))).toBe(true);
    expect(h.engine.removeSilence(silence.id)?.id).toBe(silence.id);
  });

  it('holds a flapping alert firing instead of notifying every change', () => {
    const bare: Rule = {
      ...(defaultRules(['overvoltage'])[0] as Extract<Rule, { kind: 'threshold' }>),
      clear: undefined,
      clearForS: 0,
      id: 'overvoltage-no-deadband',
    };
    const h = engineHarness({ rules: [bare], policy: { flap: { maxChanges: 4, windowS: 600 } } });
    for (let i = 0; i < 40; i++) {
      h.telemetry('clinic-power', { voltage_v: i % 2 === 0 ? 240 : 230 });
      h.clock.advance(5_000);
      h.engine.tick();
    }
    expect(h.notifications().map((n) => n.reason)).toEqual([
      'firing',
      'resolved',
      'firing',
      'resolved',
      'firing',
    ]);
    const alert = h.engine.alerts({ state: 'firing' })[0];
    expect(alert?.flapping).toBe(true);
    // calm (clear) for the whole flap window: it resolves
    h.run(11 * 60_000, 30_000, () => h.telemetry('clinic-power', { voltage_v: 230 }));
    expect(h.engine.alert(alert?.id ?? '')?.state).toBe('resolved');
  });
});
