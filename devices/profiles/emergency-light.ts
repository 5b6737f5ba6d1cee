import { EMERGENCY_LIGHT_EVENTS } from '../../contracts/index.js';
import { z } from 'zod';
import { vendorTopic } from '../profile-schema.js';
import { mqttDevice, type MqttDefinition } from '../profile-factories.js';

const lightEventSchema = z.discriminatedUnion('event', [
  z.looseObject({
    event: z.literal('SELF_TEST'),
    kind: z.enum(['monthly', 'annual']),
    result: z.enum(['pass', 'fail']),
    duration_s: z.number().nonnegative().max(36000),
  }),
  z.looseObject({ event: z.literal('BATTERY_FAULT') }),
  z.looseObject({ event: z.literal('LAMP_FAULT') }),
  z.looseObject({ event: z.literal('MAINS_LOST') }),
  z.looseObject({ event: z.literal('MAINS_RESTORED') }),
  z.looseObject({ event: z.literal('FAULT_CLEARED'), fault: z.enum(['lamp', 'battery']) }),
  /** The luminaire switched to its battery-fed emergency state (fire linkage or mains lost), or back. */
  z.looseObject({ event: z.literal('EMERGENCY_ON') }),
  z.looseObject({ event: z.literal('EMERGENCY_OFF') }),
]);

const lightStatusSchema = z.looseObject({
  battery_pct: z.number().min(0).max(100),
});

/** The topics the emergency luminaire publishes on, with their payloads (the simulator publishes through these). */
export const EMERGENCY_LIGHT_TOPICS = {
  event: vendorTopic({
    pattern: 'emlight/{vendorId}/event',
    payload: lightEventSchema,
    toCanonical: (event) => {
      switch (event.event) {
        case 'SELF_TEST':
          return [
            {
              kind: 'event',
              type: 'emergency_self_test',
              data: { kind: event.kind, result: event.result, duration_s: event.duration_s },
            },
          ];
        case 'BATTERY_FAULT':
          return [{ kind: 'event', type: 'emergency_battery_fault' }];
        case 'LAMP_FAULT':
          return [{ kind: 'event', type: 'emergency_lamp_fault' }];
        case 'MAINS_LOST':
          return [{ kind: 'event', type: 'emergency_mains_lost' }];
        case 'MAINS_RESTORED':
          return [{ kind: 'event', type: 'emergency_mains_restored' }];
        case 'FAULT_CLEARED':
          return [{ kind: 'event', type: 'emergency_fault_cleared', data: { fault: event.fault } }];
        case 'EMERGENCY_ON':
          return [{ kind: 'event', type: 'emergency_mode_on' }];
        case 'EMERGENCY_OFF':
          return [{ kind: 'event', type: 'emergency_mode_off' }];
      }
    },
  }),
  status: vendorTopic({
    pattern: 'emlight/{vendorId}/status',
    payload: lightStatusSchema,
    toCanonical: (status) => [{ kind: 'telemetry', values: { battery_pct: status.battery_pct } }],
  }),
};

export const definitions: MqttDefinition[] = [
  /**
   * A centrally monitored emergency luminaire (GB 17945 self-check, GB 51309): self-test
   * results, battery and lamp faults and their clearing, mains lost/restored, entering and
   * leaving the emergency state, and its battery level every minute (its keep-alive).
   */
  mqttDevice({
    id: 'gb17945-emergency-light',
    vendor: 'Generic',
    model: 'Centrally monitored emergency luminaire (GB 17945)',
    category: 'emergency-light',
    measurement: 'safety_event',
    description: 'Emergency lighting and exit sign with self-test (应急照明和疏散指示).',
    source:
      'GB 17945 self-check functions and GB 51309-2018 (battery ≥ 0.5 h); payload shape defined by this project.',
    events: [...EMERGENCY_LIGHT_EVENTS],
    fields: ['battery_pct'],
    heartbeatS: 180,
    topics: Object.values(EMERGENCY_LIGHT_TOPICS),
  }),
];
