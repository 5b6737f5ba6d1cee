import { z } from 'zod';
import { CAMERA_EVENTS, MESSAGE_LIMITS } from '../../contracts/index.js';
import { vendorTopic } from '../profile-schema.js';
import { mqttDevice, type MqttDefinition } from '../profile-factories.js';

const frigateObjectSchema = z.looseObject({
  id: z.string().max(128),
  camera: z.string().max(64),
  label: z.string().max(64),
  score: z.number().min(0).max(1).optional(),
  top_score: z.number().min(0).max(1).optional(),
  start_time: z.number().optional(),
  end_time: z.number().nullable().optional(),
  current_zones: z.array(z.string().max(64)).max(32).optional(),
});

const frigateEventSchema = z.looseObject({
  type: z.enum(['new', 'update', 'end']),
  before: frigateObjectSchema.optional(),
  after: frigateObjectSchema,
});

/** The topics Frigate publishes on, with their payloads (the simulator publishes through these). */
export const FRIGATE_TOPICS = {
  available: vendorTopic({
    pattern: 'frigate/{vendorId}/available',
    format: 'text',
    payload: z.enum(['online', 'offline']),
    toCanonical: (state) => [
      { kind: 'event', type: state === 'online' ? 'camera_online' : 'camera_offline' },
    ],
  }),
  tamper: vendorTopic({
    pattern: 'frigate/{vendorId}/tamper',
    format: 'text',
    payload: z.enum(['ON', 'OFF']),
    toCanonical: (state) => [
      { kind: 'event', type: state === 'ON' ? 'camera_tamper' : 'camera_tamper_cleared' },
    ],
  }),
  cameraFps: vendorTopic({
    pattern: 'frigate/{vendorId}/camera_fps',
    format: 'text',
    payload: z.coerce.number().min(0).max(1000),
    toCanonical: () => [{ kind: 'heartbeat' }],
  }),
  events: vendorTopic({
    pattern: 'frigate/events',
    payload: frigateEventSchema,
    vendorIdOf: (event) => event.after.camera,
    toCanonical: (event) =>
      event.type === 'new'
        ? [
            {
              kind: 'event',
              type: 'object_detected',
              data: {
                label: event.after.label,
                score: event.after.score ?? event.after.top_score ?? 0,
                zones: (event.after.current_zones ?? []).join(',').slice(0, MESSAGE_LIMITS.eventTextLength),
              },
            },
          ]
        : [],
  }),
};

export const definitions: MqttDefinition[] = [
  /**
   * A camera behind a Frigate NVR. Frigate publishes object events for all cameras on
   * `frigate/events` (the camera is named inside the payload). Availability is
   * per camera here (`frigate/{camera}/available`), tamper is an `ON`/`OFF` flag on
   * `frigate/{camera}/tamper`, and the camera's frame rate from Frigate's stats comes
   * every 30 s on `frigate/{camera}/camera_fps` (its keep-alive), as a small per-camera
   * bridge adds them; plain Frigate only has one `frigate/available` for the whole NVR.
   */
  mqttDevice({
    id: 'frigate-camera',
    vendor: 'Frigate NVR',
    model: 'IP camera via Frigate',
    category: 'camera',
    measurement: 'safety_event',
    description: 'Surveillance camera at an entrance or public area (安防监控摄像头).',
    source:
      'Frigate MQTT docs: frigate/events {type, before, after{id, camera, label, score, current_zones}}, availability online/offline.',
    events: [...CAMERA_EVENTS],
    fields: [],
    heartbeatS: 120,
    topics: Object.values(FRIGATE_TOPICS),
  }),
];
