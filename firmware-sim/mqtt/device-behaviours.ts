import type { DeviceCategory } from '../../devices/index.js';
import type { FaultKind } from '../faults/fault-kinds.js';
import { LOW_BATTERY_PCT } from '../faults/fault-table.js';
import { hourOfDay, isDaytime } from '../models/time-of-day.js';
import { between } from '../random.js';
import {
  HIKVISION_MINOR,
  VENDOR_PATTERNS as P,
  frigateNewObject,
  hikvisionEvent,
  lightStatus,
} from './vendor-payloads.js';
import type { VendorPublisher } from './vendor-publisher.js';

export interface MqttIntervals {
  /** Emergency lights' battery status period, ms (real devices: 60 s). */
  statusMs: number;
  /** How often a camera or door gets the chance of an everyday event, ms. */
  activityMs: number;
  /** Spacing of events in a burst (denied cards), ms. */
  burstSpacingMs: number;
}

export interface BehaviourContext extends VendorPublisher {
  readonly intervals: MqttIntervals;
  hasFault(kind: FaultKind): boolean;
}

/** What a device does on its own while no one injects anything: its everyday traffic. */
export type DeviceBehaviour = (device: BehaviourContext) => void;

const camera: DeviceBehaviour = (d) => {
  d.publish(P.frigateAvailable, 'online', { retain: true });
  let serial = 0;
  d.every(d.intervals.activityMs, () => {
    if (d.hasFault('camera-offline') || !isDaytime(hourOfDay(d.now(), d.utcOffsetMinutes))) return;
    if (d.random() >= 0.5) return;
    const label = d.random() < 0.7 ? 'person' : 'car';
    const score = Math.round(between(d.random, 0.7, 0.95) * 100) / 100;
    serial += 1;
    d.publish(P.frigateEvents, frigateNewObject(d.vendorId, label, score, d.now(), serial));
  });
};

const door: DeviceBehaviour = (d) => {
  d.every(d.intervals.activityMs, () => {
    if (d.random() >= 0.4) return;
    const card = String(10_000_000 + Math.floor(d.random() * 89_999_999));
    d.publishSeries(P.hikvisionEvent, [
      hikvisionEvent(HIKVISION_MINOR.validCard, d.now(), d.utcOffsetMinutes, card),
      hikvisionEvent(HIKVISION_MINOR.doorOpenedNormally, d.now(), d.utcOffsetMinutes),
    ]);
  });
};

const emergencyLight: DeviceBehaviour = (d) => {
  const battery = () =>
    d.hasFault('emergency-battery-fault') ? LOW_BATTERY_PCT : Math.round(between(d.random, 96, 100));
  d.publish(P.emergencyStatus, lightStatus(battery()));
  d.publish(P.emergencyEvent, { event: 'SELF_TEST', kind: 'monthly', result: 'pass', duration_s: 30 });
  d.every(d.intervals.statusMs, () => d.publish(P.emergencyStatus, lightStatus(battery())));
};

/** A fire panel says nothing until something happens. */
const firePanel: DeviceBehaviour = () => undefined;

export const DEVICE_BEHAVIOURS: Readonly<Partial<Record<DeviceCategory, DeviceBehaviour>>> = {
  camera,
  'access-control': door,
  'emergency-light': emergencyLight,
  'fire-panel': firePanel,
};
