import type { AbsenceRule } from '../../rules/rule-schema.js';
import { selectsDevice } from '../../rules/selectors.js';
import { alertKey } from '../alert-book.js';
import type { DeviceContext } from '../site-index.js';
import type { EvaluationContext } from './evaluation-context.js';

/** How long a device may stay silent under a rule, in ms; undefined when the device is not polled. */
export function silenceLimitMs(rule: AbsenceRule, device: DeviceContext): number | undefined {
  if (device.pollIntervalS === undefined) return undefined;
  return Math.max(rule.intervalMultiplier * device.pollIntervalS, rule.minSilenceS) * 1000;
}

/**
 * A polled device silent for longer than its limit. Devices behind an offline gateway
 * are not judged: the gateway alert (and the power-outage incident) already says it.
 * Nothing is judged while alerting itself is cut off from the broker, and silence is
 * counted from the later of the last message and the start of the current connection,
 * so a reconnect (or a fresh start) waits one full window before calling a meter silent.
 */
export class AbsenceEvaluator {
  constructor(
    private readonly rules: readonly AbsenceRule[],
    private readonly context: EvaluationContext,
  ) {}

  /** Any message from the device proves it is alive. */
  seen(device: DeviceContext): void {
    const now = this.context.clock.now();
    this.context.observed.deviceSeen(device.site, device.id, now);
    for (const rule of this.rules) {
      if (!selectsDevice(rule.selectors, device)) continue;
      this.context.book.deactivate(alertKey(rule.id, device.site, device.id), now);
    }
  }

  tick(): void {
    const { clock, observed, sites, book } = this.context;
    const now = clock.now();
    const connectedSince = observed.inputConnectedSince();
    if (connectedSince === undefined) return;
    for (const rule of this.rules) {
      for (const device of sites.allDevices()) {
        if (!selectsDevice(rule.selectors, device)) continue;
        const limit = silenceLimitMs(rule, device);
        if (limit === undefined || observed.isGatewayOffline(device.site, device.gateway)) continue;
        const lastSeen = observed.lastSeenAt(device.site, device.id, connectedSince);
        const silentMs = now - Math.max(lastSeen, connectedSince);
        if (silentMs <= limit) continue;
        book.activate(
          {
            rule,
            site: device.site,
            zone: device.zone,
            subject: device.id,
            building: device.building,
            device: device.id,
            gateway: device.gateway,
            field: 'silent_s',
          },
          {
            at: now,
            value: Math.round(silentMs / 1000),
            threshold: `> ${limit / 1000} s (${rule.intervalMultiplier} × ${device.pollIntervalS} s)`,
          },
          0,
        );
      }
    }
  }
}
