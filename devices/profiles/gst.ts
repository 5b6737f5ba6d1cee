import { z } from 'zod';
import { vendorTopic } from '../profile-schema.js';
import { FIRE_PANEL_EVENTS, type EventType } from '../../contracts/index.js';
import { mqttDevice, type MqttDefinition } from '../profile-factories.js';

const PANEL_EVENTS = [
  'FIRE',
  'FAULT',
  'FAULT_CLEARED',
  'SUPERVISORY',
  'DISABLE',
  'RELEASE',
  'RESET',
  'DELAY',
] as const;

const PANEL_EVENT_TYPE: Readonly<Record<(typeof PANEL_EVENTS)[number], EventType>> = {
  FIRE: 'fire_alarm',
  FAULT: 'fire_fault',
  FAULT_CLEARED: 'fire_fault_cleared',
  SUPERVISORY: 'fire_supervisory',
  DISABLE: 'fire_disable',
  RELEASE: 'fire_release',
  RESET: 'fire_reset',
  // A delayed output is a supervisory condition an operator should see, not a fire.
  DELAY: 'fire_supervisory',
};

const panelEventSchema = z.looseObject({
  event: z.enum(PANEL_EVENTS),
  loop: z.number().int().min(0).max(255),
  address: z.number().int().min(0).max(65535),
  device_type: z.string().max(32).optional(),
});

/** The topics the fire panel's interface card publishes on, with their payloads (the simulator publishes through these). */
export const FIRE_PANEL_TOPICS = {
  heartbeat: vendorTopic({
    pattern: 'firepanel/{vendorId}/heartbeat',
    payload: z.looseObject({ state: z.string().max(32).optional() }),
    toCanonical: () => [{ kind: 'heartbeat' }],
  }),
  event: vendorTopic({
    pattern: 'firepanel/{vendorId}/event',
    payload: panelEventSchema,
    toCanonical: (event) => [
      {
        kind: 'event',
        type: PANEL_EVENT_TYPE[event.event],
        data: {
          loop: event.loop,
          address: event.address,
          panel_event: event.event,
          ...(event.device_type ? { device_type: event.device_type } : {}),
        },
      },
    ],
  }),
};

export const definitions: MqttDefinition[] = [
  /**
   * A fire alarm control panel (GB 4717 functions) behind a serial-to-MQTT interface
   * card, reporting GST200-style events per detector (loop + address).
   */
  mqttDevice({
    id: 'gst-fire-panel',
    vendor: 'GST 海湾',
    model: 'GST200 class panel',
    category: 'fire-panel',
    measurement: 'safety_event',
    description: 'Fire alarm control panel for a building (火灾报警控制器).',
    source:
      'GB 4717 panel functions as GST200 event names: FIRE, FAULT, SUPERVISORY, DISABLE/RELEASE, RESET, DELAY, fault cleared. The interface card reports the panel alive every 30 s on its heartbeat topic.',
    events: [...FIRE_PANEL_EVENTS],
    fields: [],
    heartbeatS: 120,
    topics: Object.values(FIRE_PANEL_TOPICS),
  }),
];
