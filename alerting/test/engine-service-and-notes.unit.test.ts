import { describe, expect, it } from 'vitest';
import { SERVICE_ZONE } from '../engine/alert-schema.js';
import { defaultRules, engineHarness, SITE } from './engine-harness.js';

describe('alerts the service raises about itself, and notes', () => {
  it('fires a failing notification channel at once, notifies, and resolves it when the channel works again', () => {
    const h = engineHarness({ rules: defaultRules(['notification-channel-failing']) });
    const detail = { zh: '企业微信 errcode 93000', en: 'WeCom errcode 93000' };
    h.engine.serviceCondition('notification_channel_failing', SITE, 'wecom-group-0', true, detail);
    const [alert] = h.engine.alerts();
    expect(alert).toMatchObject({
      ruleId: 'notification-channel-failing',
      ruleKind: 'service',
      severity: 'critical',
      state: 'firing',
      site: SITE,
      zone: SERVICE_ZONE,
      subject: 'wecom-group-0',
      detail,
    });
    expect(h.notifications().map((n) => n.reason)).toEqual(['firing']);

    // Still failing: the same alert, no second notification.
    h.engine.serviceCondition('notification_channel_failing', SITE, 'wecom-group-0', true, detail);
    expect(h.engine.alerts()).toHaveLength(1);
    expect(h.notifications()).toHaveLength(1);

    h.clock.advance(60_000);
    h.engine.serviceCondition('notification_channel_failing', SITE, 'wecom-group-0', false);
    expect(h.engine.alerts()[0]?.state).toBe('resolved');
    expect(h.notifications().map((n) => n.reason)).toEqual(['firing', 'resolved']);
  });

  it('does nothing for a condition whose rule is turned off', () => {
    const rules = defaultRules(['notification-channel-failing']).map((r) => ({ ...r, enabled: false }));
    const h = engineHarness({ rules });
    h.engine.serviceCondition('notification_channel_failing', SITE, 'mail-0', true);
    expect(h.engine.alerts()).toEqual([]);
    expect(h.outputs).toEqual([]);
  });

  it('keeps a note with its author in the timeline and hands it out for the journal', () => {
    const h = engineHarness({ rules: defaultRules(['fire-alarm']) });
    h.event('clinic-fire-panel', 'fire_alarm');
    const id = h.engine.alerts()[0]?.id ?? '';
    const before = h.outputs.length;
    const noted = h.engine.addNote(id, 'person:wang', '烟感误报，已复位');
    expect(noted?.timeline.at(-1)).toEqual({
      at: h.clock.now(),
      type: 'note',
      by: 'person:wang',
      detail: '烟感误报，已复位',
    });
    expect(h.outputs.length).toBe(before + 1);
    expect(h.outputs.at(-1)?.changes[0]?.alert.timeline.at(-1)?.type).toBe('note');
    expect(h.outputs.at(-1)?.notifications).toEqual([]);
    expect(h.engine.addNote('al-none', 'person:wang', 'x')).toBeUndefined();
  });
});
