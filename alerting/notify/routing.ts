import type { NotificationIntent } from '../engine/alert-schema.js';
import type { ChannelConfig, Contact, NotificationsConfig } from './channel-config.js';
import type { Delivery } from './delivery-schema.js';

/** The built-in contact behind `publishMqtt`. */
export const MQTT_CONTACT: Contact = {
  id: 'mqtt-bus',
  name: 'MQTT',
  language: 'zh',
  channels: [{ type: 'mqtt' }],
};

export function channelIdOf(contact: Contact, channel: ChannelConfig, index: number): string {
  return channel.id ?? `${contact.id}-${index}`;
}

/** Route group ids that name people by the duty roster instead of listing contacts. */
export const ON_DUTY_GROUP = 'on-duty';
export const ESCALATION_GROUP = 'escalation';
export const ROSTER_GROUPS: readonly string[] = [ON_DUTY_GROUP, ESCALATION_GROUP];

/** Who the roster names at a site now (person ids, the first called first). */
export interface DutyLookup {
  onDuty(site: string): string[];
  escalation(site: string): string[];
}

const NOBODY: DutyLookup = { onDuty: () => [], escalation: () => [] };

/** Reasons that ask someone to act: their messages carry acknowledge links, critical ones @-mention. */
export const CALLS_TO_ACT: ReadonlySet<NotificationIntent['reason']> = new Set([
  'firing',
  'reminder',
  'escalation',
]);

/** Robots that @-mention in a separate short message (a card cannot mention on these). */
const MENTION_BY_MESSAGE = new Set(['wecom', 'dingtalk']);

/** An outbox entry's key: `intent/channel`, and `/mention` for the @-mention after a card. */
export function deliveryKey(intentId: string, channelId: string, part: Delivery['part']): string {
  return `${intentId}/${channelId}${part === 'mention' ? '/mention' : ''}`;
}

/**
 * Turns one notification intent into outbox entries: contacts of the groups of every
 * route matching the alert's severity, zone and rule (escalations go to `escalateTo`),
 * one entry per channel, keyed `intent/channel` for idempotency. A critical call to
 * act on WeCom or DingTalk gets a second entry, `intent/channel/mention`, the text
 * message that @-mentions the people (cards cannot).
 */
export function deliveriesFor(
  intent: NotificationIntent,
  config: NotificationsConfig,
  now: number,
  duty: DutyLookup = NOBODY,
): Delivery[] {
  const { alert } = intent;
  const groupIds = new Set<string>();
  for (const route of config.routes) {
    const fits = (list: readonly string[], value: string) => list.length === 0 || list.includes(value);
    if (
      !fits(route.severities, alert.severity) ||
      !fits(route.zones, alert.zone) ||
      !fits(route.rules, alert.ruleId)
    )
      continue;
    for (const group of intent.reason === 'escalation' ? route.escalateTo : route.groups) groupIds.add(group);
  }
  const onDuty = duty.onDuty(alert.site);
  const escalation = duty.escalation(alert.site);
  // People's own contacts when a route names the roster's groups.
  const rostered = new Set([
    ...(groupIds.has(ON_DUTY_GROUP) ? onDuty : []),
    ...(groupIds.has(ESCALATION_GROUP) ? escalation : []),
  ]);
  const contactIds = new Set(config.groups.filter((g) => groupIds.has(g.id)).flatMap((g) => g.contacts));
  const contacts = config.contacts.filter(
    (c) => contactIds.has(c.id) || (c.person !== undefined && rostered.has(c.person)),
  );
  // A group chat's message is for the people on duty (and, escalated, the next step first).
  const shared = [...new Set(intent.reason === 'escalation' ? [...escalation, ...onDuty] : onDuty)];
  if (config.publishMqtt && ['firing', 'resolved', 'acknowledged'].includes(intent.reason))
    contacts.push(MQTT_CONTACT);

  const deliveries: Delivery[] = [];
  // An alert about a failing channel goes to the others; only its all-clear goes to the channel too.
  const failingChannel =
    alert.ruleKind === 'service' && intent.reason !== 'resolved' ? alert.subject : undefined;
  const critical = alert.severity === 'critical' && CALLS_TO_ACT.has(intent.reason);
  for (const contact of contacts) {
    const people = contact.person ? [contact.person] : shared;
    contact.channels.forEach((channel, index) => {
      const channelId = channelIdOf(contact, channel, index);
      if (channelId === failingChannel) return;
      const entry = (part: Delivery['part']): Delivery => ({
        key: deliveryKey(intent.id, channelId, part),
        intentId: intent.id,
        reason: intent.reason,
        contactId: contact.id,
        channelId,
        channelType: channel.type,
        language: contact.language,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
        people,
        part,
        alert: intent.alert,
      });
      deliveries.push(entry('message'));
      const mentions = 'mention' in channel ? channel.mention : 'none';
      if (critical && MENTION_BY_MESSAGE.has(channel.type) && mentions !== 'none')
        deliveries.push(entry('mention'));
    });
  }
  return deliveries;
}

/** The channel an outbox entry goes to, or undefined when the config no longer has it. */
export function channelOf(delivery: Delivery, config: NotificationsConfig): ChannelConfig | undefined {
  const contact =
    delivery.contactId === MQTT_CONTACT.id
      ? MQTT_CONTACT
      : config.contacts.find((c) => c.id === delivery.contactId);
  if (!contact) return undefined;
  return contact.channels.find(
    (channel, index) => channelIdOf(contact, channel, index) === delivery.channelId,
  );
}
