import type { RegisteredDevice, SiteRegistry } from '../../site/index.js';
import type { FaultBook } from '../faults/fault-book.js';

/**
 * Whether an emergency light should be in its battery-fed emergency state: when its
 * mains is lost (a power cut where it hangs, or its own supply), or when a fire panel
 * of its building is in alarm (the linkage of GB 50116-2013 4.9.2), unless the light
 * has the linkage-failure fault.
 */
export function wantsEmergency(light: RegisteredDevice, faults: FaultBook, site: SiteRegistry): boolean {
  const kinds = faults.kindsOn(light.device.id);
  if (kinds.has('power-outage') || kinds.has('mains-lost')) return true;
  if (kinds.has('linkage-failure')) return false;
  return faults
    .list()
    .some((f) => f.kind === 'fire-alarm' && site.device(f.target)?.device.building === light.device.building);
}
