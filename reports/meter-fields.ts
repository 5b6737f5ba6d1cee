import { profileFields, type DeviceProfile } from '../devices/index.js';
import type { SupplyType } from './standards.js';

/** The register that counts consumption: import kWh where a meter has one, else total kWh. */
export function energyField(profile: DeviceProfile): string | undefined {
  const fields = profileFields(profile);
  return ['import_energy_kwh', 'total_energy_kwh'].find((f) => fields.includes(f));
}

/** The register that counts water delivered: the forward totaliser, or a water meter's settlement reading. */
export function volumeField(profile: DeviceProfile): string | undefined {
  const fields = profileFields(profile);
  return ['forward_total_m3', 'settlement_total_m3'].find((f) => fields.includes(f));
}

/** Phase voltage fields: three for a three-phase meter, one otherwise. */
export function voltageFields(profile: DeviceProfile): string[] {
  const fields = profileFields(profile);
  const three = ['voltage_l1_v', 'voltage_l2_v', 'voltage_l3_v'].filter((f) => fields.includes(f));
  if (three.length > 0) return three;
  return fields.includes('voltage_v') ? ['voltage_v'] : [];
}

export function supplyTypeOf(profile: DeviceProfile): SupplyType {
  return voltageFields(profile).length === 3 ? 'three_phase' : 'single_phase';
}

/** Active power of a minute in W (meters report W or kW). */
export function powerW(values: Readonly<Record<string, number>>): number | undefined {
  if (values.active_power_w !== undefined) return values.active_power_w;
  if (values.active_power_kw !== undefined) return values.active_power_kw * 1000;
  return undefined;
}
