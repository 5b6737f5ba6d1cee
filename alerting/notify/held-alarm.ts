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
 *
 * A reminder ("still unacknowledged") or an escalation held past the recovery would tell
 * the operator that the alarm is still on. A reminder is superseded: its channel had the
 * alarm, and has or will have the recovery (or the alarm as happened-and-recovered). An
 * escalation is superseded on a channel that had the alarm for the same reason; a channel
 * that never had it (the escalation contact is only on `escalateTo`, which gets no
 * recovery) is told once, as the held alarm is: it happened, went unacknowledged, recovered.
 * A reminder or escalation held past an acknowledgement would say nobody has acknowledged
 * it: superseded on every channel, the escalation contact's too (someone is on it; the
 * acknowledgement went out to whoever had the alarm).
 * A superseded entry stays in the journal with its reason and shows on the alert's page.
 */

/** The alert a notification tells of when it goes out: a held alarm's or escalation's, as it stands by then. */
export function alertToTell(delivery: Delivery, latest: Alert | undefined): Alert {
  const tellsState = delivery.reason === 'firing' || delivery.reason === 'escalation';
  return tellsState && delivery.channelType !== 'mqtt' && latest?.state === 'resolved'
    ? latest
    : delivery.alert;
}

/**
 * Why a reminder or escalation is not to go out, given its alert as it stands and the alarm's
 * entry on its channel (`alarmOf`), or undefined when it is to go out.
 */
export function supersededBecause(
  delivery: Delivery,
  latest: Alert | undefined,
  alarm: Delivery | undefined,
): Delivery['supersededBecause'] {
  const tellsUnacknowledged = delivery.reason === 'reminder' || delivery.reason === 'escalation';
  if (tellsUnacknowledged && latest?.ack !== undefined) return 'alert-acknowledged';
  if (latest?.state !== 'resolved') return undefined;
  if (delivery.reason === 'reminder') return 'alert-resolved';
  if (delivery.reason === 'escalation' && alarm !== undefined && alarm.status !== 'failed')
    return 'alert-resolved';
  return undefined;
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

/**
 * Whether an entry may be done with without being sent (`supersededBecause`, `recoveryTurn`
 * 'told'): a reminder, an escalation, a recovery on a person's channel. Any other entry
 * (an alarm, an acknowledgement, whatever goes on the MQTT bus) is only ever sent.
 */
export function mayEndUnsent(entry: Delivery): boolean {
  if (entry.reason === 'reminder' || entry.reason === 'escalation') return true;
  return entry.reason === 'resolved' && entry.channelType !== 'mqtt';
}

/** The alarm's entry (the message, not its @-mention) on the channel of `entry` (a recovery, reminder, escalation). */
export function alarmOf(entry: Delivery, deliveries: ReadonlyMap<string, Delivery>): Delivery | undefined {
  const alarm = deliveries.get(deliveryKey(intentIdOf(entry.alert.id, 'firing'), entry.channelId, 'message'));
  return alarm?.contactId === entry.contactId ? alarm : undefined;
}
