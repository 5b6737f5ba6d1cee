import {
  EMERGENCY_LIGHT_TOPICS,
  FIRE_PANEL_TOPICS,
  FRIGATE_TOPICS,
  HIKVISION_TOPICS,
  type VendorPayload,
} from '../../devices/index.js';

/**
 * Vendor payloads as the devices' own systems publish them. Topics and payload shapes are
 * the profiles' (devices/profiles/*.ts, their `*_TOPICS`): these only fill in values.
 */
/** Hikvision access-control minor codes, from the door profile. */
export { HIKVISION_EVENT_CODES as HIKVISION_MINOR } from '../../devices/index.js';

type FrigateEvent = VendorPayload<typeof FRIGATE_TOPICS.events>;
type HikvisionAccessEvent = VendorPayload<typeof HIKVISION_TOPICS.event>;
type PanelEvent = VendorPayload<typeof FIRE_PANEL_TOPICS.event>;
export type PanelEventName = PanelEvent['event'];
type LightEvent = VendorPayload<typeof EMERGENCY_LIGHT_TOPICS.event>;
type LightStatus = VendorPayload<typeof EMERGENCY_LIGHT_TOPICS.status>;

export function frigateNewObject(
  camera: string,
  label: string,
  score: number,
  nowMs: number,
  serial: number,
): FrigateEvent {
  const startTime = nowMs / 1000;
  return {
    type: 'new',
    after: {
      id: `${startTime.toFixed(6)}-${serial.toString(36)}`,
      camera,
      label,
      score,
      top_score: score,
      start_time: startTime,
      end_time: null,
      current_zones: [],
    },
  };
}

/** `time` as the controller writes it: local time with offset, e.g. 2024-05-01T08:30:00+08:00. */
export function hikvisionEvent(
  minor: number,
  nowMs: number,
  utcOffsetMinutes: number,
  cardNo?: string,
): HikvisionAccessEvent {
  return { minor, door: 1, ...(cardNo ? { cardNo } : {}), time: localIsoTime(nowMs, utcOffsetMinutes) };
}

export function panelEvent(
  event: PanelEventName,
  loop: number,
  address: number,
  deviceType?: string,
): PanelEvent {
  return { event, loop, address, ...(deviceType ? { device_type: deviceType } : {}) };
}

/** The detector a simulated fire alarm comes from: stable per panel, so FIRE and RESET name the same one. */
export function detectorOf(deviceId: string): { loop: number; address: number } {
  let hash = 0;
  for (const char of deviceId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return { loop: 1 + (hash % 2), address: 1 + (hash % 120) };
}

/** A monthly function test (30 s) or an annual duration test (30 min, GB 51309's 0.5 h). */
export function selfTest(kind: 'monthly' | 'annual', result: 'pass' | 'fail'): LightEvent {
  return { event: 'SELF_TEST', kind, result, duration_s: kind === 'monthly' ? 30 : 1800 };
}

export function lightStatus(batteryPct: number): LightStatus {
  return { battery_pct: batteryPct };
}

function localIsoTime(nowMs: number, utcOffsetMinutes: number): string {
  const local = new Date(nowMs + utcOffsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(utcOffsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
