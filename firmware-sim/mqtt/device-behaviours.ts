import {
  EMERGENCY_LIGHT_TOPICS,
  FIRE_PANEL_TOPICS,
  FRIGATE_TOPICS,
  HIKVISION_TOPICS,
  type DeviceCategory,
} from '../../devices/index.js';
import type { FaultKind } from '../faults/fault-kinds.js';
import { LOW_BATTERY_PCT } from '../faults/fault-table.js';
import { hourOfDay, isDaytime } from '../models/time-of-day.js';
import { between } from '../random.js';
import {
  HIKVISION_MINOR,
  frigateNewObject,
  hikvisionEvent,
  lightStatus,
  selfTest,
} from './vendor-payloads.js';
import type { VendorPublisher } from './vendor-publisher.js';

export interface MqttIntervals {
  /** Emergency lights' battery status period, ms (real devices: 60 s). */
  statusMs: number;
  /** How often a camera or door gets the chance of an everyday event, ms. */
  activityMs: number;
  /** Spacing of events in a burst (denied cards, a door opening and closing), ms. */
  burstSpacingMs: number;
  /** Keep-alive period of door controllers, fire panels and cameras, ms (vendors: 30 s). */
  keepAliveMs: number;
  /** How often an emergency light runs its monthly self-test, ms (real ones: 30 days). */
  selfTestMs: number;
  /** How long a light takes to switch to emergency mode on a fire alarm in its building, ms. */
  linkageMs: number;
}

export interface BehaviourContext extends VendorPublisher {
  readonly intervals: MqttIntervals;
  hasFault(kind: FaultKind): boolean;
}

/** What a device does on its own while no one injects anything: its everyday traffic. */
export type DeviceBehaviour = (device: BehaviourContext) => void;

const camera: DeviceBehaviour = (d) => {
  d.publish(FRIGATE_TOPICS.available, 'online', { retain: true });
  let serial = 0;
  d.every(d.intervals.keepAliveMs, () => {
    if (!d.hasFault('camera-offline')) d.publish(FRIGATE_TOPICS.cameraFps, '5.0');
  });
  d.every(d.intervals.activityMs, () => {
    if (d.hasFault('camera-offline') || !isDaytime(hourOfDay(d.now(), d.utcOffsetMinutes))) return;
    if (d.random() >= 0.5) return;
    const label = d.random() < 0.7 ? 'person' : 'car';
    const score = Math.round(between(d.random, 0.7, 0.95) * 100) / 100;
    serial += 1;
    d.publish(FRIGATE_TOPICS.events, frigateNewObject(d.vendorId, label, score, d.now(), serial));
  });
};

/** Someone badges in, the door opens and closes behind them; a door stuck open has no such traffic. */
const door: DeviceBehaviour = (d) => {
  d.every(d.intervals.keepAliveMs, () =>
    d.publish(HIKVISION_TOPICS.heartbeat, { time: new Date(d.now()).toISOString() }),
  );
  d.every(d.intervals.activityMs, () => {
    if (d.hasFault('door-forced') || d.hasFault('door-held-open')) return;
    if (d.random() >= 0.4) return;
    const card = String(10_000_000 + Math.floor(d.random() * 89_999_999));
    d.publishSeries(HIKVISION_TOPICS.event, [
      hikvisionEvent(HIKVISION_MINOR.validCard, d.now(), d.utcOffsetMinutes, card),
      hikvisionEvent(HIKVISION_MINOR.doorOpenedNormally, d.now(), d.utcOffsetMinutes),
      hikvisionEvent(HIKVISION_MINOR.doorClosedNormally, d.now(), d.utcOffsetMinutes),
    ]);
  });
};

const emergencyLight: DeviceBehaviour = (d) => {
  const battery = () =>
    d.hasFault('emergency-battery-fault') ? LOW_BATTERY_PCT : Math.round(between(d.random, 96, 100));
  const test = (kind: 'monthly' | 'annual') => {
    if (d.hasFault('self-test-missing')) return;
    d.publish(EMERGENCY_LIGHT_TOPICS.event, selfTest(kind, d.hasFault('self-test-failed') ? 'fail' : 'pass'));
  };
  d.publish(EMERGENCY_LIGHT_TOPICS.status, lightStatus(battery()));
  test('monthly');
  d.every(d.intervals.statusMs, () => d.publish(EMERGENCY_LIGHT_TOPICS.status, lightStatus(battery())));
  d.every(d.intervals.selfTestMs, () => test('monthly'));
};

/** A fire panel says nothing but its keep-alive until something happens. */
const firePanel: DeviceBehaviour = (d) => {
  d.every(d.intervals.keepAliveMs, () => d.publish(FIRE_PANEL_TOPICS.heartbeat, { state: 'normal' }));
};

export const DEVICE_BEHAVIOURS: Readonly<Partial<Record<DeviceCategory, DeviceBehaviour>>> = {
  camera,
  'access-control': door,
  'emergency-light': emergencyLight,
  'fire-panel': firePanel,
};
