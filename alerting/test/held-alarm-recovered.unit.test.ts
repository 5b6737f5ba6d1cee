import { describe, expect, it } from 'vitest';
import { NOTIFICATION_REASONS, type NotificationIntent } from '../engine/alert-schema.js';
import { notificationsSchema } from '../notify/channel-config.js';
import { CHANNEL_TYPES, deliveryStatusSchema, type Delivery } from '../notify/delivery-schema.js';
import { renderMessage } from '../notify/message-text.js';
import { alarmOf, alertToTell, mayEndUnsent, recoveryTurn, supersededBecause } from '../notify/held-alarm.js';
import { deliveriesFor } from '../notify/routing.js';
import { defaultRules, demoSites, engineHarness } from './engine-harness.js';

const config = notificationsSchema.parse({
  publishMqtt: true,
  contacts: [
    { id: 'duty', name: '值班员', channels: [{ type: 'webhook', url: 'http://relay.invalid/hook' }] },
    {
      id: 'group',
      name: '值班群',
      language: 'en',
      channels: [
        { type: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', mention: 'all' },
      ],
    },
  ],
  groups: [{ id: 'all', contacts: ['duty', 'group'] }],
  routes: [{ groups: ['all'] }],
});

const messages = {
  sites: demoSites(),
  rules: new Map(defaultRules().map((r) => [r.id, r])),
  utcOffsetMinutes: 480,
};

/** A fire alarm at the canteen, then its reset a minute later: the engine's own intents. */
function fireThenReset(): { firing: NotificationIntent; resolved: NotificationIntent } {
  const h = engineHarness();
  h.event('canteen-fire-panel', 'fire_alarm');
  h.clock.advance(60_000);
  h.event('canteen-fire-panel', 'fire_reset');
  const [firing] = h.notifications('firing');
  const [resolved] = h.notifications('resolved');
  if (!firing || !resolved) throw new Error('the engine did not fire and resolve the fire alarm');
  return { firing, resolved };
}

const status = (entries: Delivery[], to: Delivery['status']) => entries.map((d) => ({ ...d, status: to }));

describe('an alarm held past its recovery', () => {
  it('tells the alert as it stands on each person channel, its @-mention too, not on the MQTT bus', () => {
    const { firing, resolved } = fireThenReset();
    const held = deliveriesFor(firing, config, firing.at);
    // the webhook, the WeCom card and its @-mention, the MQTT bus
    expect(held.map((d) => `${d.channelType}/${d.part}`)).toEqual([
      'webhook/message',
      'wecom/message',
      'wecom/mention',
      'mqtt/message',
    ]);
    expect(held.map((d) => alertToTell(d, resolved.alert).state)).toEqual([
      'resolved',
      'resolved',
      'resolved',
      'firing',
    ]);
    // Still firing when it can go out, however late: the alarm as it was decided.
    expect(held.map((d) => alertToTell(d, firing.alert))).toEqual(held.map((d) => d.alert));
    // A recovery, an acknowledgement: as decided.
    for (const recovery of deliveriesFor(resolved, config, resolved.at))
      expect(alertToTell(recovery, resolved.alert)).toBe(recovery.alert);
  });

  it('has the recovery wait for its alarm, then count as told by it, or go out itself', () => {
    const { firing, resolved } = fireThenReset();
    const alarms = deliveriesFor(firing, config, firing.at);
    const recoveries = deliveriesFor(resolved, config, resolved.at);
    const turns = (entries: Delivery[]) =>
      recoveries.map(
        (r) => `${r.channelType}:${recoveryTurn(r, alarmOf(r, new Map(entries.map((d) => [d.key, d]))))}`,
      );

    expect(turns(alarms)).toEqual(['webhook:wait', 'wecom:wait', 'mqtt:send']);
    expect(turns(status(alarms, 'sending'))).toEqual(['webhook:wait', 'wecom:wait', 'mqtt:send']);
    // sent after the recovery: it told it
    const toldIt = status(alarms, 'delivered').map((d) => ({ ...d, alert: alertToTell(d, resolved.alert) }));
    expect(turns(toldIt)).toEqual(['webhook:told', 'wecom:told', 'mqtt:send']);
    // sent before the recovery, or never got through: the recovery is news
    expect(turns(status(alarms, 'delivered'))).toEqual(['webhook:send', 'wecom:send', 'mqtt:send']);
    const failed = status(alarms, 'failed').map((d) => ({ ...d, alert: alertToTell(d, resolved.alert) }));
    expect(turns(failed)).toEqual(['webhook:send', 'wecom:send', 'mqtt:send']);
    expect(turns([])).toEqual(['webhook:send', 'wecom:send', 'mqtt:send']);
  });

  it('tells the operator in one message that the alarm happened and has recovered, with both times', () => {
    const { firing, resolved } = fireThenReset();
    const zh = renderMessage(resolved.alert, 'firing', 'zh', messages);
    expect(zh.title).toBe('[告警（已恢复）] 火灾报警 · 社区食堂');
    expect(zh.text).toContain('状态：已恢复 (严重)');
    expect(zh.text).toContain(`开始时间：2025-06-01 20:00:00 (UTC+8)`);
    expect(zh.text).toContain(`恢复时间：2025-06-01 20:01:00 (UTC+8)`);
    // the @-mention after a critical card wakes people to look, not to acknowledge what is over
    expect(zh.mentionText).toBe(
      '【严重告警已发生并已恢复，请查看上一条消息】 [告警（已恢复）] 火灾报警 · 社区食堂',
    );
    expect(renderMessage(resolved.alert, 'firing', 'en', messages).title).toBe(
      '[ALERT (since resolved)] Fire alarm · Canteen',
    );
    // Still firing when it goes out, however late: the plain alarm, with the time it happened.
    const late = renderMessage(firing.alert, 'firing', 'zh', messages);
    expect(late.title).toBe('[告警] 火灾报警 · 社区食堂');
    expect(late.mentionText).toBe('【严重告警，请立即查看上一条消息并确认】 [告警] 火灾报警 · 社区食堂');
    expect(late.text).toContain(`开始时间：2025-06-01 20:00:00 (UTC+8)`);
  });

  it('supersedes a reminder once its alert has resolved, and an escalation on a channel that had the alarm', () => {
    const { firing, resolved } = fireThenReset();
    const bossConfig = notificationsSchema.parse({
      ...config,
      contacts: [
        ...config.contacts,
        { id: 'boss', name: '站长', channels: [{ type: 'webhook', url: 'http://boss.invalid/hook' }] },
      ],
      groups: [...config.groups, { id: 'boss', contacts: ['boss'] }],
      routes: [{ groups: ['all'], escalateTo: ['all', 'boss'] }],
    });
    const at = (reason: 'reminder' | 'escalation') => ({
      ...firing,
      id: `${firing.alert.id}:${reason}`,
      reason,
    });
    const alarms = new Map(deliveriesFor(firing, bossConfig, firing.at).map((d) => [d.key, d]));
    const decide = (reason: 'reminder' | 'escalation', latest = resolved.alert, entries = alarms) =>
      deliveriesFor(at(reason), bossConfig, firing.at).map(
        (d) => `${d.contactId}/${d.part}:${supersededBecause(d, latest, alarmOf(d, entries)) ?? 'send'}`,
      );

    expect(decide('reminder')).toEqual([
      'duty/message:alert-resolved',
      'group/message:alert-resolved',
      'group/mention:alert-resolved',
    ]);
    // The boss never had the alarm: told (as happened-and-recovered, below); the others had it.
    expect(decide('escalation')).toEqual([
      'duty/message:alert-resolved',
      'group/message:alert-resolved',
      'group/mention:alert-resolved',
      'boss/message:send',
    ]);
    // An alarm that never got through on a channel: the escalation is its news there.
    const failed = new Map([...alarms].map(([k, d]) => [k, { ...d, status: 'failed' as const }]));
    expect(decide('escalation', resolved.alert, failed)).toEqual([
      'duty/message:send',
      'group/message:send',
      'group/mention:send',
      'boss/message:send',
    ]);
    // Still firing: everything goes out as decided.
    expect(decide('reminder', firing.alert).every((d) => d.endsWith(':send'))).toBe(true);
    expect(decide('escalation', firing.alert).every((d) => d.endsWith(':send'))).toBe(true);

    const [toBoss] = deliveriesFor(at('escalation'), bossConfig, firing.at).filter(
      (d) => d.contactId === 'boss',
    );
    if (!toBoss) throw new Error('no escalation to the boss');
    const told = alertToTell(toBoss, resolved.alert);
    expect(told.state).toBe('resolved');
    expect(renderMessage(told, 'escalation', 'zh', messages).title).toBe(
      '[升级：告警长时间未确认（已恢复）] 火灾报警 · 社区食堂',
    );
    expect(renderMessage(told, 'escalation', 'en', messages).title).toBe(
      '[ESCALATED: went unacknowledged (since resolved)] Fire alarm · Canteen',
    );
    expect(renderMessage(firing.alert, 'escalation', 'zh', messages).title).toBe(
      '[升级：告警长时间未确认] 火灾报警 · 社区食堂',
    );

    // Acknowledged meanwhile, firing or since resolved: "unacknowledged" would be untrue, on
    // every channel, the boss's too (someone is on it).
    const ack = { by: '值班员', at: firing.at + 60_000, comment: '' };
    for (const latest of [
      { ...firing.alert, ack },
      { ...resolved.alert, ack },
    ]) {
      for (const reason of ['reminder', 'escalation'] as const)
        expect(decide(reason, latest).every((d) => d.endsWith(':alert-acknowledged'))).toBe(true);
    }
  });

  it('only a reminder, an escalation or a recovery on a person channel may end without being sent', () => {
    const { firing, resolved } = fireThenReset();
    const ack = { by: '值班员', at: firing.at + 60_000, comment: '' };
    const latests = [
      undefined,
      firing.alert,
      resolved.alert,
      { ...firing.alert, ack },
      { ...resolved.alert, ack },
    ];
    const [template] = deliveriesFor(firing, config, firing.at);
    if (!template) throw new Error('no delivery');
    const alarms = [
      undefined,
      ...deliveryStatusSchema.options.flatMap((s) => [
        { ...template, status: s },
        { ...template, status: s, alert: resolved.alert },
      ]),
    ];
    const endedUnsent: string[] = [];
    for (const reason of NOTIFICATION_REASONS)
      for (const channelType of CHANNEL_TYPES) {
        const entry: Delivery = { ...template, reason, channelType };
        const ends = latests.some((latest) =>
          alarms.some(
            (alarm) =>
              supersededBecause(entry, latest, alarm) !== undefined || recoveryTurn(entry, alarm) !== 'send',
          ),
        );
        // the outbox passes over an entry that is only ever sent while its channel has no free slot
        expect(mayEndUnsent(entry), `${reason} on ${channelType}`).toBe(ends);
        if (ends) endedUnsent.push(`${reason}/${channelType}`);
      }
    expect(endedUnsent).toContain('resolved/webhook');
    expect(endedUnsent).not.toContain('resolved/mqtt');
    expect(endedUnsent).toContain('reminder/mqtt');
  });
});
