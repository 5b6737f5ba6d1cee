import type { RegisteredDevice, SiteRegistry } from '../../site/index.js';
import { NORMAL_CONDITIONS, type SimConditions } from '../models/conditions.js';
import type { Fault, FaultKind, FaultRequest } from './fault-kinds.js';
import { FAULT_TABLE } from './fault-table.js';

/** A fault request that names no suitable device or zone. */
export class FaultTargetError extends Error {
  override readonly name = 'FaultTargetError';
}

/**
 * The faults currently switched on, and what they mean for each device. Holds no
 * timers or sockets: the simulator acts on the devices a change affects.
 */
export class FaultBook {
  private readonly active = new Map<string, Fault>();
  private counter = 0;

  constructor(private readonly site: SiteRegistry) {}

  /** Switches a fault on; the same kind on the same target again returns the fault already on. */
  inject(
    request: FaultRequest,
    now: number,
  ): { fault: Fault; affected: RegisteredDevice[]; created: boolean } {
    const effect = FAULT_TABLE[request.kind];
    const device = this.site.device(request.target);
    const zone = this.site.site.zones.find((z) => z.id === request.target);
    const building = this.site.site.zones.some((z) => z.buildings.some((b) => b.id === request.target));
    const onDevices = effect.scope === 'device' || effect.scope === 'device-or-zone';
    const onZones = effect.scope !== 'device';
    let targetType: Fault['targetType'];
    if (device && onDevices) {
      if (!effect.categories.includes(device.profile.category)) {
        throw new FaultTargetError(
          `fault "${request.kind}" acts on ${effect.categories.join(', ')}; device "${request.target}" is a ${device.profile.category}`,
        );
      }
      targetType = 'device';
    } else if (zone && onZones) {
      targetType = 'zone';
    } else if (building && effect.scope === 'building-or-zone') {
      targetType = 'building';
    } else {
      const wants = effect.scope.replaceAll('-or-', ' or ');
      throw new FaultTargetError(
        `fault "${request.kind}" needs a ${wants} id; "${request.target}" is not one`,
      );
    }
    const existing = [...this.active.values()].find(
      (f) => f.kind === request.kind && f.target === request.target,
    );
    if (existing) return { fault: existing, affected: [], created: false };
    this.counter += 1;
    const fault: Fault = {
      id: `f${this.counter}-${request.kind}`,
      kind: request.kind,
      target: request.target,
      targetType,
      startedAt: now,
    };
    this.active.set(fault.id, fault);
    return { fault, affected: this.affectedBy(fault), created: true };
  }

  clear(id: string): { fault: Fault; affected: RegisteredDevice[] } | undefined {
    const fault = this.active.get(id);
    if (!fault) return undefined;
    this.active.delete(id);
    return { fault, affected: this.affectedBy(fault) };
  }

  list(): Fault[] {
    return [...this.active.values()];
  }

  kindsOn(deviceId: string): Set<FaultKind> {
    const registered = this.site.device(deviceId);
    const kinds = new Set<FaultKind>();
    if (!registered) return kinds;
    for (const fault of this.active.values()) if (this.touches(fault, registered)) kinds.add(fault.kind);
    return kinds;
  }

  conditionsFor(deviceId: string): SimConditions {
    const conditions: SimConditions = { ...NORMAL_CONDITIONS };
    for (const kind of this.kindsOn(deviceId)) Object.assign(conditions, FAULT_TABLE[kind].conditions);
    return conditions;
  }

  modbusModeFor(deviceId: string): 'normal' | 'silent' | 'garbage' {
    const kinds = this.kindsOn(deviceId);
    if ([...kinds].some((k) => FAULT_TABLE[k].modbus === 'silent')) return 'silent';
    if ([...kinds].some((k) => FAULT_TABLE[k].modbus === 'garbage')) return 'garbage';
    return 'normal';
  }

  private affectedBy(fault: Fault): RegisteredDevice[] {
    return this.site.all().filter((registered) => this.touches(fault, registered));
  }

  private touches(fault: Fault, { device, profile }: RegisteredDevice): boolean {
    const inTarget =
      fault.targetType === 'device'
        ? device.id === fault.target
        : fault.targetType === 'building'
          ? device.building === fault.target
          : device.zone === fault.target;
    return inTarget && FAULT_TABLE[fault.kind].categories.includes(profile.category);
  }
}
