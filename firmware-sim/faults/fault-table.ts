import {
  EMERGENCY_LIGHT_TOPICS,
  FIRE_PANEL_TOPICS,
  FRIGATE_TOPICS,
  HIKVISION_TOPICS,
  type DeviceCategory,
} from '../../devices/index.js';
import type { SimConditions } from '../models/conditions.js';
import { HIGH_PRESSURE_MPA, LOW_PRESSURE_MPA } from '../models/pressure.js';
import type { VendorPublisher } from '../mqtt/vendor-publisher.js';
import {
  HIKVISION_MINOR,
  detectorOf,
  hikvisionEvent,
  lightStatus,
  panelEvent,
  selfTest,
  type PanelEventName,
} from '../mqtt/vendor-payloads.js';
import type { FaultKind } from './fault-kinds.js';

/** What a fault may be switched on for: a device, a zone, or (power) a building or a zone. */
export type FaultScope = 'device' | 'zone' | 'device-or-zone' | 'building-or-zone';

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
/** Phase L3 at 93 % of nominal: about 4.8 % unbalance, above GB/T 15543's 4 % short-time limit. */
export const PHASE_IMBALANCE_FACTORS = [1, 1, 0.93] as const;
/** The load draws 1.5 × the circuit's rated current. */
export const OVERLOAD_OF_RATING = 1.5;

const hikvision = (minor: number, cardNo?: string) => (d: VendorPublisher) =>
  d.publish(HIKVISION_TOPICS.event, hikvisionEvent(minor, d.now(), d.utcOffsetMinutes, cardNo));

/** A panel event from the panel's own simulated detector. */
const panel = (event: PanelEventName, deviceType?: string) => (d: VendorPublisher) => {
  const { loop, address } = detectorOf(d.device.id);
  d.publish(FIRE_PANEL_TOPICS.event, panelEvent(event, loop, address, deviceType));
};

const lightEvent =
  (event: 'LAMP_FAULT' | 'BATTERY_FAULT' | 'MAINS_LOST' | 'MAINS_RESTORED') => (d: VendorPublisher) =>
    d.publish(EMERGENCY_LIGHT_TOPICS.event, { event });

const METERS = [
  'electricity-meter',
  'water-flow-meter',
  'pressure-transmitter',
  'water-quality-probe',
] as const;
const LAN_DEVICES = ['camera', 'access-control', 'fire-panel', 'emergency-light'] as const;

/** Every fault the simulated village can suffer, one entry each. */
export const FAULT_TABLE: Readonly<Record<FaultKind, FaultEffect>> = {
  // Emergency lights switch to their battery-fed emergency state with the mains: that
  // state is the simulator's (see emergency-state.ts), the mains events are the fault's.
  'power-outage': {
    scope: 'building-or-zone',
    categories: ['electricity-meter', 'emergency-light'],
    conditions: { powerOff: true },
    mqtt: { 'emergency-light': { start: lightEvent('MAINS_LOST'), clear: lightEvent('MAINS_RESTORED') } },
  },
  'mains-lost': {
    scope: 'device',
    categories: ['emergency-light'],
    mqtt: { 'emergency-light': { start: lightEvent('MAINS_LOST'), clear: lightEvent('MAINS_RESTORED') } },
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
  'phase-loss': { scope: 'device', categories: ['electricity-meter'], conditions: { lostPhase: 2 } },
  'phase-imbalance': {
    scope: 'device',
    categories: ['electricity-meter'],
    conditions: { phaseVoltageFactors: PHASE_IMBALANCE_FACTORS },
  },
  overload: {
    scope: 'device',
    categories: ['electricity-meter'],
    conditions: { overloadOfRating: OVERLOAD_OF_RATING },
  },
  'water-outage': {
    scope: 'zone',
    categories: ['pressure-transmitter', 'water-flow-meter'],
    conditions: { waterOff: true },
  },
  // The tower drained (a burst main, pumps off) or overfilling (a stuck float valve).
  'tank-low': { scope: 'device', categories: ['level-transmitter'], conditions: { tankShare: 0.1 } },
  'tank-overflow': { scope: 'device', categories: ['level-transmitter'], conditions: { tankShare: 0.98 } },
  leak: { scope: 'device', categories: ['water-flow-meter'], conditions: { leakFloorM3h: 0.3 } },
  'quality-excursion': {
    scope: 'device',
    categories: ['water-quality-probe'],
    conditions: { qualityExcursion: true },
  },
  'meter-silent': { scope: 'device', categories: METERS, modbus: 'silent' },
  'meter-garbage': { scope: 'device', categories: METERS, modbus: 'garbage' },
  // A LAN device that stops sending anything, keep-alives included (simulated-mqtt-device.ts).
  'device-silent': { scope: 'device', categories: LAN_DEVICES },
  'door-forced': {
    scope: 'device',
    categories: ['access-control'],
    mqtt: {
      'access-control': {
        start: hikvision(HIKVISION_MINOR.doorForced),
        clear: hikvision(HIKVISION_MINOR.doorClosedNormally),
      },
    },
  },
  'door-held-open': {
    scope: 'device',
    categories: ['access-control'],
    mqtt: {
      'access-control': {
        start: (d) => {
          hikvision(HIKVISION_MINOR.doorOpenedNormally)(d);
          hikvision(HIKVISION_MINOR.doorHeldOpen)(d);
        },
        clear: hikvision(HIKVISION_MINOR.doorClosedNormally),
      },
    },
  },
  'reader-tamper': {
    scope: 'device',
    categories: ['access-control'],
    mqtt: {
      'access-control': {
        start: hikvision(HIKVISION_MINOR.readerTamper),
        clear: hikvision(HIKVISION_MINOR.readerTamperCleared),
      },
    },
  },
  'access-denied-burst': {
    scope: 'device',
    categories: ['access-control'],
    mqtt: {
      'access-control': {
        start: (d) =>
          d.publishSeries(
            HIKVISION_TOPICS.event,
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
        start: (d) => d.publish(FRIGATE_TOPICS.available, 'offline', { retain: true }),
        clear: (d) => d.publish(FRIGATE_TOPICS.available, 'online', { retain: true }),
      },
    },
  },
  'camera-tamper': {
    scope: 'device',
    categories: ['camera'],
    mqtt: {
      camera: {
        start: (d) => d.publish(FRIGATE_TOPICS.tamper, 'ON'),
        clear: (d) => d.publish(FRIGATE_TOPICS.tamper, 'OFF'),
      },
    },
  },
  'fire-alarm': {
    scope: 'device',
    categories: ['fire-panel'],
    mqtt: { 'fire-panel': { start: panel('FIRE', 'smoke'), clear: panel('RESET') } },
  },
  'fire-fault': {
    scope: 'device',
    categories: ['fire-panel'],
    mqtt: { 'fire-panel': { start: panel('FAULT', 'smoke'), clear: panel('FAULT_CLEARED', 'smoke') } },
  },
  'fire-supervisory': {
    scope: 'device',
    categories: ['fire-panel'],
    mqtt: { 'fire-panel': { start: panel('SUPERVISORY', 'valve'), clear: panel('RESET') } },
  },
  'fire-disable': {
    scope: 'device',
    categories: ['fire-panel'],
    mqtt: { 'fire-panel': { start: panel('DISABLE', 'smoke'), clear: panel('RELEASE', 'smoke') } },
  },
  'emergency-battery-fault': {
    scope: 'device',
    categories: ['emergency-light'],
    mqtt: {
      'emergency-light': {
        start: (d) => {
          d.publish(EMERGENCY_LIGHT_TOPICS.event, { event: 'BATTERY_FAULT' });
          d.publish(EMERGENCY_LIGHT_TOPICS.status, lightStatus(LOW_BATTERY_PCT));
        },
        clear: (d) => {
          d.publish(EMERGENCY_LIGHT_TOPICS.event, { event: 'FAULT_CLEARED', fault: 'battery' });
          d.publish(EMERGENCY_LIGHT_TOPICS.status, lightStatus(100));
        },
      },
    },
  },
  'emergency-lamp-fault': {
    scope: 'device',
    categories: ['emergency-light'],
    mqtt: {
      'emergency-light': {
        start: lightEvent('LAMP_FAULT'),
        clear: (d) => d.publish(EMERGENCY_LIGHT_TOPICS.event, { event: 'FAULT_CLEARED', fault: 'lamp' }),
      },
    },
  },
  'self-test-failed': {
    scope: 'device',
    categories: ['emergency-light'],
    mqtt: {
      'emergency-light': {
        start: (d) => d.publish(EMERGENCY_LIGHT_TOPICS.event, selfTest('monthly', 'fail')),
        clear: (d) => d.publish(EMERGENCY_LIGHT_TOPICS.event, selfTest('monthly', 'pass')),
      },
    },
  },
  // The light skips its periodic self-tests; once repaired it runs one at once.
  'self-test-missing': {
    scope: 'device',
    categories: ['emergency-light'],
    mqtt: {
      'emergency-light': {
        clear: (d) => d.publish(EMERGENCY_LIGHT_TOPICS.event, selfTest('monthly', 'pass')),
      },
    },
  },
  // The light ignores the fire panel's linkage signal (emergency-state.ts).
  'linkage-failure': { scope: 'device', categories: ['emergency-light'] },
};
