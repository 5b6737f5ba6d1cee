import type { DeviceCategory } from '../../devices/index.js';
import type { SimConditions } from '../models/conditions.js';
import { HIGH_PRESSURE_MPA, LOW_PRESSURE_MPA } from '../models/pressure.js';
import type { VendorPublisher } from '../mqtt/vendor-publisher.js';
import {
  HIKVISION_MINOR,
  VENDOR_PATTERNS as P,
  detectorOf,
  hikvisionEvent,
  lightStatus,
  panelEvent,
} from '../mqtt/vendor-payloads.js';
import type { FaultKind } from './fault-kinds.js';

export type FaultScope = 'device' | 'zone' | 'device-or-zone';

/** What a running MQTT device does when a fault starts or clears on it. */
export interface MqttFaultEffect {
  start?: (device: VendorPublisher) => void;
  clear?: (device: VendorPublisher) => void;
}

export interface FaultEffect {
  scope: FaultScope;
  /** Device categories the fault acts on; other devices in a targeted zone are untouched. */
  categories: readonly DeviceCategory[];
  /** Physics a polled device's value model sees while the fault is on. */
  conditions?: Partial<SimConditions>;
  /** How a polled device's Modbus answers change. */
  modbus?: 'silent' | 'garbage';
  mqtt?: Partial<Record<DeviceCategory, MqttFaultEffect>>;
}

export const DENIED_BURST_COUNT = 6;
/** Supply at 84 % of nominal (193 V on 230 V): below the −10 % limit of GB/T 12325. */
export const UNDERVOLTAGE_FACTOR = 0.84;
/** Supply at 110 % of nominal (253 V on 230 V): above the +7 % limit of GB/T 12325. */
export const OVERVOLTAGE_FACTOR = 1.1;
/** An islanded or overloaded supply: outside 50 ± 0.2 Hz (GB/T 15945). */
export const DEVIATED_FREQUENCY_HZ = 50.5;
export const LOW_BATTERY_PCT = 12;

const hikvision = (minor: number, cardNo?: string) => (d: VendorPublisher) =>
  d.publish(P.hikvisionEvent, hikvisionEvent(minor, d.now(), d.utcOffsetMinutes, cardNo));

/** Every fault the simulated village can suffer, one entry each. */
export const FAULT_TABLE: Readonly<Record<FaultKind, FaultEffect>> = {
  'power-outage': {
    scope: 'zone',
    categories: ['electricity-meter', 'emergency-light'],
    conditions: { powerOff: true },
    mqtt: {
      'emergency-light': {
        start: (d) => d.publish(P.emergencyEvent, { event: 'MAINS_LOST' }),
        clear: (d) => d.publish(P.emergencyEvent, { event: 'MAINS_RESTORED' }),
      },
    },
  },
  'low-pressure': {
    scope: 'device-or-zone',
    categories: ['pressure-transmitter'],
    conditions: { lowPressureMpa: LOW_PRESSURE_MPA },
  },
  'high-pressure': {
    scope: 'device-or-zone',
    categories: ['pressure-transmitter'],
    conditions: { highPressureMpa: HIGH_PRESSURE_MPA },
  },
  undervoltage: {
    scope: 'device-or-zone',
    categories: ['electricity-meter'],
    conditions: { voltageFactor: UNDERVOLTAGE_FACTOR },
  },
  overvoltage: {
    scope: 'device-or-zone',
    categories: ['electricity-meter'],
    conditions: { voltageFactor: OVERVOLTAGE_FACTOR },
  },
  'frequency-deviation': {
    scope: 'device-or-zone',
    categories: ['electricity-meter'],
    conditions: { frequencyHz: DEVIATED_FREQUENCY_HZ },
  },
  'water-outage': {
    scope: 'zone',
    categories: ['pressure-transmitter', 'water-flow-meter'],
    conditions: { waterOff: true },
  },
  leak: { scope: 'device', categories: ['water-flow-meter'], conditions: { leakFloorM3h: 0.3 } },
  'quality-excursion': {
    scope: 'device',
    categories: ['water-quality-probe'],
    conditions: { qualityExcursion: true },
  },
  'meter-silent': {
    scope: 'device',
    categories: ['electricity-meter', 'water-flow-meter', 'pressure-transmitter', 'water-quality-probe'],
    modbus: 'silent',
  },
  'meter-garbage': {
    scope: 'device',
    categories: ['electricity-meter', 'water-flow-meter', 'pressure-transmitter', 'water-quality-probe'],
    modbus: 'garbage',
  },
  'door-forced': {
    scope: 'device',
    categories: ['access-control'],
    mqtt: { 'access-control': { start: hikvision(HIKVISION_MINOR.doorForced) } },
  },
  'door-held-open': {
    scope: 'device',
    categories: ['access-control'],
    mqtt: { 'access-control': { start: hikvision(HIKVISION_MINOR.doorHeldOpen) } },
  },
  'access-denied-burst': {
    scope: 'device',
    categories: ['access-control'],
    mqtt: {
      'access-control': {
        start: (d) =>
          d.publishSeries(
            P.hikvisionEvent,
            Array.from({ length: DENIED_BURST_COUNT }, (_, i) =>
              hikvisionEvent(
                HIKVISION_MINOR.noPermission,
                d.now(),
                d.utcOffsetMinutes,
                `9${String(1000 + i)}`,
              ),
            ),
          ),
      },
    },
  },
  'camera-offline': {
    scope: 'device',
    categories: ['camera'],
    mqtt: {
      camera: {
        start: (d) => d.publish(P.frigateAvailable, 'offline', { retain: true }),
        clear: (d) => d.publish(P.frigateAvailable, 'online', { retain: true }),
      },
    },
  },
  'camera-tamper': {
    scope: 'device',
    categories: ['camera'],
    mqtt: {
      camera: {
        start: (d) => d.publish(P.frigateTamper, 'ON'),
        clear: (d) => d.publish(P.frigateTamper, 'OFF'),
      },
    },
  },
  'fire-alarm': {
    scope: 'device',
    categories: ['fire-panel'],
    mqtt: {
      'fire-panel': {
        start: (d) => {
          const { loop, address } = detectorOf(d.device.id);
          d.publish(P.firePanelEvent, panelEvent('FIRE', loop, address, 'smoke'));
        },
        clear: (d) => {
          const { loop, address } = detectorOf(d.device.id);
          d.publish(P.firePanelEvent, panelEvent('RESET', loop, address));
        },
      },
    },
  },
  'emergency-battery-fault': {
    scope: 'device',
    categories: ['emergency-light'],
    mqtt: {
      'emergency-light': {
        start: (d) => {
          d.publish(P.emergencyEvent, { event: 'BATTERY_FAULT' });
          d.publish(P.emergencyStatus, lightStatus(LOW_BATTERY_PCT));
        },
        clear: (d) => d.publish(P.emergencyStatus, lightStatus(100)),
      },
    },
  },
};
