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

/**
 * Turns one notification intent into outbox entries: contacts of the groups of every
 * route matching the alert's severity, zone and rule (escalations go to `escalateTo`),
 * one entry per channel, keyed `intent/channel` for idempotency.
 */
export function deliveriesFor(
  intent: NotificationIntent,
  config: NotificationsConfig,
  now: number,
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
  const contactIds = new Set(config.groups.filter((g) => groupIds.has(g.id)).flatMap((g) => g.contacts));
  const contacts = config.contacts.filter((c) => contactIds.has(c.id));
  if (config.publishMqtt && ['firing', 'resolved', 'acknowledged'].includes(intent.reason))
    contacts.push(MQTT_CONTACT);

  const deliveries: Delivery[] = [];
  // An alert about a failing channel goes to the others; only its all-clear goes to the channel too.
  const failingChannel =
    alert.ruleKind === 'service' && intent.reason !== 'resolved' ? alert.subject : undefined;
  for (const contact of contacts) {
    contact.channels.forEach((channel, index) => {
      const channelId = channelIdOf(contact, channel, index);
      if (channelId === failingChannel) return;
      deliveries.push({
        key: `${intent.id}/${channelId}`,
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
        alert: intent.alert,
      });
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
