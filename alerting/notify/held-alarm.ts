import type { Alert } from '../engine/alert-schema.js';
import { intentIdOf } from '../engine/notification-policy.js';
import type { Delivery } from './delivery-schema.js';
import { deliveryKey } from './routing.js';

/*
 * An alarm's notification can be held past its alert's recovery: its channel was down and
 * retries wait, or alerting stopped before it went out and the recovery came in after the
 * restart. Sent as it was decided, the operator would get a bare alarm as if happening now,
 * then its all-clear. Instead the held alarm tells the alert as it stands, in one message
 * that it happened and has recovered (both times, message-text.ts), and the recovery on that
 * channel is told by it. Nothing is dropped: a fire alarm that fired and cleared still goes
 * out, and a recovery whose alarm never got through goes out as itself. The MQTT bus is
 * read by machines (a siren, a building system): it keeps every state change as decided.
 */

/** The alert a notification tells of when it goes out: a held alarm's, as it stands by then. */
export function alertToTell(delivery: Delivery, latest: Alert | undefined): Alert {
  const since =
    delivery.reason === 'firing' && delivery.channelType !== 'mqtt' && latest?.state === 'resolved';
  return since && latest.id === delivery.alert.id ? latest : delivery.alert;
}

/**
 * What becomes of a recovery on a channel, given its alarm's entry on that channel: `send`
 * it, `wait` while the alarm has not gone out (it may yet tell the recovery), or `told` when
 * the alarm went out telling it.
 */
export function recoveryTurn(recovery: Delivery, alarm: Delivery | undefined): 'send' | 'wait' | 'told' {
  if (recovery.reason !== 'resolved' || recovery.channelType === 'mqtt' || !alarm) return 'send';
  if (alarm.status === 'pending' || alarm.status === 'sending') return 'wait';
  return alarm.status === 'delivered' && alarm.alert.state === 'resolved' ? 'told' : 'send';
}

/** The alarm's entry (the message, not its @-mention) on the channel of `recovery`. */
export function alarmOf(recovery: Delivery, deliveries: ReadonlyMap<string, Delivery>): Delivery | undefined {
  const alarm = deliveries.get(
    deliveryKey(intentIdOf(recovery.alert.id, 'firing'), recovery.channelId, 'message'),
  );
  return alarm?.contactId === recovery.contactId ? alarm : undefined;
}
