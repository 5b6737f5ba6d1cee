import {
  deviceProfileSchema,
  type DeviceProfile,
  type Cjt188Profile,
  type Dlt645Profile,
  type ModbusProfile,
  type MqttProfile,
} from './profile-schema.js';
import type { ProfileDefinition } from './profile-factories.js';
import { definitions as chint } from './profiles/chint.js';
import { definitions as cjt188WaterMeters } from './profiles/cjt188-water-meter.js';
import { definitions as dlt645Meters } from './profiles/dlt645-meter.js';
import { definitions as eastron } from './profiles/eastron.js';
import { definitions as emergencyLights } from './profiles/emergency-light.js';
import { definitions as frigate } from './profiles/frigate.js';
import { definitions as genericLevel } from './profiles/generic-level.js';
import { definitions as genericPressure } from './profiles/generic-pressure.js';
import { definitions as gst } from './profiles/gst.js';
import { definitions as hikvision } from './profiles/hikvision.js';
import { definitions as tuf } from './profiles/tuf.js';
import { definitions as waterQuality } from './profiles/water-quality.js';

/**
 * Every vendor file's `definitions`, in one list. A new model goes into its vendor's file
 * (built with the factories of profile-factories.ts); a new vendor file adds one line here.
 */
const DEFINITIONS: readonly ProfileDefinition[] = [
  ...eastron,
  ...chint,
  ...tuf,
  ...genericPressure,
  ...genericLevel,
  ...waterQuality,
  ...frigate,
  ...hikvision,
  ...gst,
  ...emergencyLights,
  ...dlt645Meters,
  ...cjt188WaterMeters,
];

/** Every profile, validated once at load: a bad profile fails the first import, not a poll in the field. */
export const CATALOGUE: readonly DeviceProfile[] = Object.freeze(validated(DEFINITIONS));

/** The definitions as profiles (defaults filled in); throws naming the first invalid one. */
function validated(definitions: readonly ProfileDefinition[]): DeviceProfile[] {
  const schema = deviceProfileSchema();
  return definitions.map((input) => {
    const result = schema.safeParse(input);
    if (!result.success) {
      throw new Error(`device profile ${input.id} is invalid: ${result.error.message}`);
    }
    return result.data;
  });
}

const BY_ID = new Map(CATALOGUE.map((profile) => [profile.id, profile]));

export function findProfile(id: string): DeviceProfile | undefined {
  return BY_ID.get(id);
}

export function getProfile(id: string): DeviceProfile {
  const profile = BY_ID.get(id);
  if (!profile) throw new Error(`unknown device profile "${id}"; known: ${[...BY_ID.keys()].join(', ')}`);
  return profile;
}

export function getModbusProfile(id: string): ModbusProfile {
  const profile = getProfile(id);
  if (profile.protocol !== 'modbus') throw new Error(`device profile "${id}" is not a Modbus profile`);
  return profile;
}

export function getMqttProfile(id: string): MqttProfile {
  const profile = getProfile(id);
  if (profile.protocol !== 'mqtt') throw new Error(`device profile "${id}" is not an MQTT profile`);
  return profile;
}

export function getDlt645Profile(id: string): Dlt645Profile {
  const profile = getProfile(id);
  if (profile.protocol !== 'dlt645') throw new Error(`device profile "${id}" is not a DL/T 645 profile`);
  return profile;
}

export function getCjt188Profile(id: string): Cjt188Profile {
  const profile = getProfile(id);
  if (profile.protocol !== 'cjt188') throw new Error(`device profile "${id}" is not a CJ/T 188 profile`);
  return profile;
}

/** The InfluxDB measurement a profile's telemetry goes to; safety devices' own readings (battery) are device status. */
export function telemetryMeasurement(profile: DeviceProfile): 'water' | 'electricity' | 'device_status' {
  if (profile.protocol === 'dlt645' || profile.protocol === 'cjt188') return profile.measurement;
  return profile.protocol === 'modbus' && profile.measurement !== 'safety_event'
    ? profile.measurement
    : 'device_status';
}
