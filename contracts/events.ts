import { z } from 'zod';

/**
 * Canonical event types. Vendor payloads (Frigate, Hikvision codes, GB 4717 fire
 * panels, GB 17945 emergency lights) are normalised into these at the edge.
 */
/** What a fire alarm control panel reports (GB 4717 functions). */
export const FIRE_PANEL_EVENTS = [
  'fire_alarm',
  'fire_fault',
  'fire_fault_cleared',
  'fire_supervisory',
  'fire_disable',
  'fire_release',
  'fire_reset',
] as const;

/** What an access controller reports (Hikvision event codes). */
export const ACCESS_CONTROL_EVENTS = [
  'access_granted',
  'access_denied',
  'door_opened',
  'door_closed',
  'door_forced',
  'door_held_open',
  'reader_tamper',
  'reader_tamper_cleared',
] as const;

/** What a camera reports (Frigate style). */
export const CAMERA_EVENTS = [
  'camera_online',
  'camera_offline',
  'camera_tamper',
  'camera_tamper_cleared',
  'object_detected',
] as const;

/** What an emergency luminaire reports (GB 17945 self-check). */
export const EMERGENCY_LIGHT_EVENTS = [
  'emergency_self_test',
  'emergency_battery_fault',
  'emergency_lamp_fault',
  'emergency_mains_lost',
  'emergency_mains_restored',
  'emergency_fault_cleared',
  'emergency_mode_on',
  'emergency_mode_off',
] as const;

/**
 * Raised by the gateway itself for any device: silent (polls unanswered, or no message
 * within the profile's heartbeat), answering with unusable data, or answering properly again.
 */
export const DEVICE_STATE_EVENTS = ['device_offline', 'device_error', 'device_online'] as const;

export const EVENT_TYPES = [
  ...FIRE_PANEL_EVENTS,
  ...ACCESS_CONTROL_EVENTS,
  ...CAMERA_EVENTS,
  ...EMERGENCY_LIGHT_EVENTS,
  ...DEVICE_STATE_EVENTS,
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

/**
 * The warning or critical states an info event ends: mains restored ends mains lost, a
 * panel reset ends a fire alarm. A gateway that gathers info events into a batch sends
 * one of these at once when it ends a state of the same device that is still open, so a
 * recovery travels as fast as the fault it ends: an incident's hold and an event rule's
 * `forS` see both in the order and spacing they happened (docs/uplink.md). The alert rules'
 * clearing events are checked against this table (alerting/test).
 */
export const EVENT_ENDS: Readonly<Partial<Record<EventType, readonly EventType[]>>> = {
  fire_reset: ['fire_alarm', 'fire_supervisory'],
  fire_fault_cleared: ['fire_fault'],
  fire_release: ['fire_disable'],
  door_closed: ['door_forced', 'door_held_open'],
  reader_tamper_cleared: ['reader_tamper'],
  camera_online: ['camera_offline'],
  camera_tamper_cleared: ['camera_tamper'],
  emergency_mains_restored: ['emergency_mains_lost'],
  emergency_fault_cleared: ['emergency_lamp_fault', 'emergency_battery_fault'],
  emergency_self_test: ['emergency_lamp_fault', 'emergency_battery_fault'],
  emergency_mode_off: ['emergency_mode_on'],
  device_online: ['device_offline', 'device_error'],
};

/** What each event is called where people read it (catalogue, notifications), zh first. */
export const EVENT_LABELS: Readonly<Record<EventType, { zh: string; en: string }>> = {
  fire_alarm: { zh: '火警', en: 'fire alarm' },
  fire_fault: { zh: '火灾报警系统故障', en: 'fire system fault' },
  fire_fault_cleared: { zh: '故障恢复', en: 'fault cleared' },
  fire_supervisory: { zh: '监管报警', en: 'supervisory signal' },
  fire_disable: { zh: '屏蔽', en: 'zone disabled' },
  fire_release: { zh: '解除屏蔽', en: 'zone re-enabled' },
  fire_reset: { zh: '控制器复位', en: 'panel reset' },
  access_granted: { zh: '刷卡通过', en: 'access granted' },
  access_denied: { zh: '刷卡被拒', en: 'access denied' },
  door_opened: { zh: '开门', en: 'door opened' },
  door_closed: { zh: '关门', en: 'door closed' },
  door_forced: { zh: '门被强行打开', en: 'door forced' },
  door_held_open: { zh: '门长时间未关', en: 'door held open' },
  reader_tamper: { zh: '读卡器防拆报警', en: 'reader tamper' },
  reader_tamper_cleared: { zh: '读卡器防拆恢复', en: 'reader tamper cleared' },
  camera_online: { zh: '摄像头上线', en: 'camera online' },
  camera_offline: { zh: '摄像头离线', en: 'camera offline' },
  camera_tamper: { zh: '摄像头遮挡', en: 'camera tamper' },
  camera_tamper_cleared: { zh: '摄像头遮挡解除', en: 'camera tamper cleared' },
  object_detected: { zh: '目标检测', en: 'object detected' },
  emergency_self_test: { zh: '应急照明自检', en: 'emergency lighting self-test' },
  emergency_battery_fault: { zh: '电池故障', en: 'battery fault' },
  emergency_lamp_fault: { zh: '光源故障', en: 'lamp fault' },
  emergency_mains_lost: { zh: '主电断电', en: 'mains lost' },
  emergency_mains_restored: { zh: '主电恢复', en: 'mains restored' },
  emergency_fault_cleared: { zh: '故障恢复', en: 'fault cleared' },
  emergency_mode_on: { zh: '进入应急状态', en: 'emergency mode on' },
  emergency_mode_off: { zh: '退出应急状态', en: 'emergency mode off' },
  device_offline: {
    zh: '设备离线（无应答或超过心跳时间无消息）',
    en: 'device offline (no answer, or silent past its heartbeat)',
  },
  device_error: { zh: '设备数据异常', en: 'device error' },
  device_online: { zh: '设备在线', en: 'device online' },
};
