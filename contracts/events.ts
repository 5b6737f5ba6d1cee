import { z } from 'zod';

/**
 * Canonical event types. Vendor payloads (Frigate, Hikvision codes, GB 4717 fire
 * panels, GB 17945 emergency lights) are normalised into these at the edge.
 */
export const EVENT_TYPES = [
  // fire panel (GB 4717 functions)
  'fire_alarm',
  'fire_fault',
  'fire_fault_cleared',
  'fire_supervisory',
  'fire_disable',
  'fire_release',
  'fire_reset',
  // access control (Hikvision event codes)
  'access_granted',
  'access_denied',
  'door_opened',
  'door_closed',
  'door_forced',
  'door_held_open',
  'reader_tamper',
  'reader_tamper_cleared',
  // cameras (Frigate style)
  'camera_online',
  'camera_offline',
  'camera_tamper',
  'camera_tamper_cleared',
  'object_detected',
  // emergency lighting (GB 17945 self-check)
  'emergency_self_test',
  'emergency_battery_fault',
  'emergency_lamp_fault',
  'emergency_mains_lost',
  'emergency_mains_restored',
  'emergency_fault_cleared',
  'emergency_mode_on',
  'emergency_mode_off',
  // any device, raised by the gateway itself: silent (polls unanswered, or no message
  // within the profile's heartbeat), answering with unusable data, or answering properly again
  'device_offline',
  'device_error',
  'device_online',
] as const;

export const eventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof eventTypeSchema>;

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export const severitySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof severitySchema>;

export const EVENT_SEVERITY: Readonly<Record<EventType, Severity>> = {
  fire_alarm: 'critical',
  fire_fault: 'warning',
  fire_fault_cleared: 'info',
  fire_supervisory: 'warning',
  fire_disable: 'warning',
  fire_release: 'info',
  fire_reset: 'info',
  access_granted: 'info',
  access_denied: 'warning',
  door_opened: 'info',
  door_closed: 'info',
  door_forced: 'critical',
  door_held_open: 'warning',
  reader_tamper: 'critical',
  reader_tamper_cleared: 'info',
  camera_online: 'info',
  camera_offline: 'warning',
  camera_tamper: 'critical',
  camera_tamper_cleared: 'info',
  object_detected: 'info',
  emergency_self_test: 'info',
  emergency_battery_fault: 'warning',
  emergency_lamp_fault: 'warning',
  emergency_mains_lost: 'warning',
  emergency_mains_restored: 'info',
  emergency_fault_cleared: 'info',
  emergency_mode_on: 'warning',
  emergency_mode_off: 'info',
  device_offline: 'warning',
  device_error: 'warning',
  device_online: 'info',
};
