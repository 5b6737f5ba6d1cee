import type { DeviceContext } from '../engine/site-index.js';
import type { Selectors } from './rule-schema.js';

/** Every non-empty selector list must name the device's value. */
export function selectsDevice(selectors: Selectors, device: DeviceContext): boolean {
  const fits = (list: readonly string[], value: string) => list.length === 0 || list.includes(value);
  return (
    fits(selectors.profiles, device.profile) &&
    fits(selectors.categories, device.category) &&
    fits(selectors.zones, device.zone) &&
    fits(selectors.devices, device.id) &&
    fits(selectors.gateways, device.gateway) &&
    fits(selectors.drinkingWaterSupply, device.drinkingWaterSupply)
  );
}

/** Gateway-level rules (gateway offline) only look at zone and gateway selectors. */
export function selectsGateway(selectors: Selectors, gateway: string, zones: readonly string[]): boolean {
  const zoneFits = selectors.zones.length === 0 || zones.some((z) => selectors.zones.includes(z));
  return zoneFits && (selectors.gateways.length === 0 || selectors.gateways.includes(gateway));
}
