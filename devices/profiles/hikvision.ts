import { ACCESS_CONTROL_EVENTS } from '../../contracts/index.js';
import { z } from 'zod';
import { vendorTopic, type CanonicalOutput } from '../profile-schema.js';
import { mqttDevice, type MqttDefinition } from '../profile-factories.js';

/**
 * Hikvision access-control minor event codes (HCNetSDK `MINOR_*`): major 0x5 "event"
 * for cards and the door contact, major 0x1 "alarm" for the reader's tamper switch.
 */
export const HIKVISION_EVENT_CODES = {
  validCard: 0x01,
  noPermission: 0x06,
  cardExpired: 0x08,
  invalidCard: 0x09,
  doorOpenedNormally: 0x19,
  doorClosedNormally: 0x1a,
  doorForced: 0x1b,
  doorHeldOpen: 0x1c,
  readerTamper: 0x406,
  readerTamperCleared: 0x407,
} as const;

const accessEventSchema = z.looseObject({
  minor: z.number().int().min(0).max(0xffff),
  door: z.number().int().min(1).max(64).default(1),
  cardNo: z.string().max(32).optional(),
  time: z.string().max(40).optional(),
});

function toCanonical(event: z.infer<typeof accessEventSchema>): CanonicalOutput[] {
  // Card numbers identify people (guideline 9.2.7: privacy): only whether a card was shown leaves the door.
  const base = { door: event.door, card_presented: event.cardNo !== undefined, code: event.minor };
  switch (event.minor) {
    case HIKVISION_EVENT_CODES.validCard:
      return [{ kind: 'event', type: 'access_granted', data: base }];
    case HIKVISION_EVENT_CODES.noPermission:
      return [{ kind: 'event', type: 'access_denied', data: { ...base, reason: 'no_permission' } }];
    case HIKVISION_EVENT_CODES.cardExpired:
      return [{ kind: 'event', type: 'access_denied', data: { ...base, reason: 'card_expired' } }];
    case HIKVISION_EVENT_CODES.invalidCard:
      return [{ kind: 'event', type: 'access_denied', data: { ...base, reason: 'invalid_card' } }];
    case HIKVISION_EVENT_CODES.doorOpenedNormally:
      return [{ kind: 'event', type: 'door_opened', data: base }];
    case HIKVISION_EVENT_CODES.doorClosedNormally:
      return [{ kind: 'event', type: 'door_closed', data: base }];
    case HIKVISION_EVENT_CODES.doorForced:
      return [{ kind: 'event', type: 'door_forced', data: base }];
    case HIKVISION_EVENT_CODES.doorHeldOpen:
      return [{ kind: 'event', type: 'door_held_open', data: base }];
    case HIKVISION_EVENT_CODES.readerTamper:
      return [{ kind: 'event', type: 'reader_tamper', data: base }];
    case HIKVISION_EVENT_CODES.readerTamperCleared:
      return [{ kind: 'event', type: 'reader_tamper_cleared', data: base }];
    default:
      return [];
  }
}

/** The topics the Hikvision door controller publishes on, with their payloads (the simulator publishes through these). */
export const HIKVISION_TOPICS = {
  event: vendorTopic({ pattern: 'hikvision/{vendorId}/event', payload: accessEventSchema, toCanonical }),
  heartbeat: vendorTopic({
    pattern: 'hikvision/{vendorId}/heartbeat',
    payload: z.looseObject({ time: z.string().max(40).optional() }),
    toCanonical: () => [{ kind: 'heartbeat' }],
  }),
};

export const definitions: MqttDefinition[] = [
  /** A door controller reporting Hikvision access-control event codes as JSON. */
  mqttDevice({
    id: 'hikvision-door',
    vendor: 'Hikvision 海康威视',
    model: 'Access controller (DS-K2600 class)',
    category: 'access-control',
    measurement: 'safety_event',
    description: 'Door access controller at a workshop or storeroom (门禁控制器).',
    source:
      'Hikvision HCNetSDK access-control minor codes: 0x01 valid card, 0x06 no permission, 0x08 expired, 0x09 invalid card, 0x19 door opened, 0x1a door closed, 0x1b forced (abnormal open), 0x1c held open (open timeout), 0x406 / 0x407 reader tamper and its resume. The controller is armed with a 30 s heartbeat, which the MQTT bridge publishes on its own topic.',
    events: [...ACCESS_CONTROL_EVENTS],
    fields: [],
    heartbeatS: 120,
    topics: Object.values(HIKVISION_TOPICS),
  }),
];
