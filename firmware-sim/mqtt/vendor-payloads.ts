/**
 * Vendor payloads exactly as the devices' own systems publish them (the schemas are in
 * devices/profiles/*.ts). Topic patterns are the profiles' own; `publish` looks the
 * mapping up by pattern and fails loudly if a profile no longer has it.
 */
/** Hikvision access-control minor codes, from the door profile. */
export { HIKVISION_EVENT_CODES as HIKVISION_MINOR } from '../../devices/index.js';

export const VENDOR_PATTERNS = {
  frigateAvailable: 'frigate/{vendorId}/available',
  frigateTamper: 'frigate/{vendorId}/tamper',
  frigateFps: 'frigate/{vendorId}/camera_fps',
  frigateEvents: 'frigate/events',
  hikvisionEvent: 'hikvision/{vendorId}/event',
  hikvisionHeartbeat: 'hikvision/{vendorId}/heartbeat',
  firePanelEvent: 'firepanel/{vendorId}/event',
  firePanelHeartbeat: 'firepanel/{vendorId}/heartbeat',
  emergencyEvent: 'emlight/{vendorId}/event',
  emergencyStatus: 'emlight/{vendorId}/status',
} as const;

export interface FrigateObjectEvent {
  type: 'new';
  after: {
    id: string;
    camera: string;
    label: string;
    score: number;
    top_score: number;
    start_time: number;
    end_time: null;
    current_zones: string[];
  };
}

export function frigateNewObject(
  camera: string,
  label: string,
  score: number,
  nowMs: number,
  serial: number,
): FrigateObjectEvent {
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

export interface HikvisionAccessEvent {
  minor: number;
  door: number;
  cardNo?: string;
  time: string;
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

export type PanelEventName =
  'FIRE' | 'FAULT' | 'FAULT_CLEARED' | 'SUPERVISORY' | 'DISABLE' | 'RELEASE' | 'RESET' | 'DELAY';

export function panelEvent(event: PanelEventName, loop: number, address: number, deviceType?: string) {
  return { event, loop, address, ...(deviceType ? { device_type: deviceType } : {}) };
}

/** The detector a simulated fire alarm comes from: stable per panel, so FIRE and RESET name the same one. */
export function detectorOf(deviceId: string): { loop: number; address: number } {
  let hash = 0;
  for (const char of deviceId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return { loop: 1 + (hash % 2), address: 1 + (hash % 120) };
}

export type LightEvent =
  | { event: 'SELF_TEST'; kind: 'monthly' | 'annual'; result: 'pass' | 'fail'; duration_s: number }
  | { event: 'FAULT_CLEARED'; fault: 'lamp' | 'battery' }
  | {
      event:
        'BATTERY_FAULT' | 'LAMP_FAULT' | 'MAINS_LOST' | 'MAINS_RESTORED' | 'EMERGENCY_ON' | 'EMERGENCY_OFF';
    };

/** A monthly function test (30 s) or an annual duration test (30 min, GB 51309's 0.5 h). */
export function selfTest(kind: 'monthly' | 'annual', result: 'pass' | 'fail'): LightEvent {
  return { event: 'SELF_TEST', kind, result, duration_s: kind === 'monthly' ? 30 : 1800 };
}

export function lightStatus(batteryPct: number): { battery_pct: number } {
  return { battery_pct: batteryPct };
}

function localIsoTime(nowMs: number, utcOffsetMinutes: number): string {
  const local = new Date(nowMs + utcOffsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(utcOffsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
