import type { EventMessage } from '../../../contracts/index.js';
import type { AbsenceRule } from '../../rules/rule-schema.js';
import { selectsDevice } from '../../rules/selectors.js';
import { alertKey } from '../alert-book.js';
import type { DeviceContext } from '../site-index.js';
import type { EvaluationContext } from './evaluation-context.js';
import { eventMatches } from './event-evaluator.js';

/**
 * How long a device may stay silent under a polling rule, in ms; undefined when the device
 * is not polled. A device under report by exception is quiet for up to its maximum interval
 * while nothing moves, so the limit counts in that; once its gateway reports it offline
 * (it stopped answering polls) the limit counts in poll intervals again, as before.
 */
export function silenceLimitMs(
  rule: AbsenceRule,
  device: DeviceContext,
  reportedOffline = false,
): number | undefined {
  const quietS = quietOf(device, reportedOffline);
  if (rule.of || quietS === undefined) return undefined;
  return Math.max(rule.intervalMultiplier * quietS, rule.minSilenceS) * 1000;
}

function quietOf(device: DeviceContext, reportedOffline: boolean): number | undefined {
  return reportedOffline ? device.pollIntervalS : device.quietLimitS;
}

/** When a device last sent what an `of` rule waits for (or was first watched), keyed by rule and device. */
export type AbsenceEvidence = ReadonlyMap<string, number>;

/**
 * Two kinds of silence:
 * - a polled device silent for longer than its limit. Devices behind an offline gateway
 *   are not judged: the gateway alert (and the power-outage incident) already says it;
 *   nor are devices the gateway reports answering with garbage (they are not silent).
 *   Silence is counted from the later of the last message and the start of the current
 *   connection, so a reconnect (or a fresh start) waits one full window;
 * - a device that sends no event matching the rule's `of` for `silenceS` (a monthly
 *   self-test overdue). These last for weeks, so the last matching event (or the
 *   moment watching began) is kept as evidence across restarts.
 * Nothing is judged while alerting itself is cut off from the broker.
 */
export class AbsenceEvaluator {
  private readonly evidence = new Map<string, number>();
  private newEvidence: Array<{ key: string; at: number }> = [];

  constructor(
    private readonly rules: readonly AbsenceRule[],
    private readonly context: EvaluationContext,
    initialEvidence: AbsenceEvidence = new Map(),
  ) {
    for (const [key, at] of initialEvidence) this.evidence.set(key, at);
  }

  /** Any message from the device proves it is alive. */
  seen(device: DeviceContext): void {
    const now = this.context.clock.now();
    this.context.observed.deviceSeen(device.site, device.id, now);
    for (const rule of this.rules) {
      if (rule.of || !selectsDevice(rule.selectors, device)) continue;
      this.context.book.deactivate(alertKey(rule.id, device.site, device.id), now);
    }
  }

  /** An event may be what an `of` rule waits for. */
  event(device: DeviceContext, message: EventMessage): void {
    for (const rule of this.rules) {
      if (!rule.of || !selectsDevice(rule.selectors, device)) continue;
      if (!eventMatches(rule.of, message.type, message.data)) continue;
      const key = alertKey(rule.id, device.site, device.id);
      if ((this.evidence.get(key) ?? Number.NEGATIVE_INFINITY) >= message.ts) continue;
      this.record(key, message.ts);
      this.context.book.deactivate(key, this.context.clock.now());
    }
  }

  /** Evidence recorded since the last call, for the journal. */
  takeEvidence(): Array<{ key: string; at: number }> {
    const taken = this.newEvidence;
    this.newEvidence = [];
    return taken;
  }

  tick(): void {
    const { clock, observed, sites } = this.context;
    const now = clock.now();
    const connectedSince = observed.inputConnectedSince();
    if (connectedSince === undefined) return;
    for (const rule of this.rules) {
      for (const device of sites.allDevices()) {
        if (!selectsDevice(rule.selectors, device)) continue;
        if (rule.of) this.judgeOverdue(rule, device, now);
        else this.judgeSilent(rule, device, now, connectedSince);
      }
    }
  }

  private judgeSilent(rule: AbsenceRule, device: DeviceContext, now: number, connectedSince: number): void {
    const { observed } = this.context;
    const offline = observed.isReportedOffline(device.site, device.id);
    const limit = silenceLimitMs(rule, device, offline);
    if (limit === undefined || observed.isGatewayOffline(device.site, device.gateway)) return;
    if (observed.isAnsweringBadly(device.site, device.id)) return;
    const lastSeen = observed.lastSeenAt(device.site, device.id, connectedSince);
    const silentMs = now - Math.max(lastSeen, connectedSince);
    if (silentMs <= limit) return;
    this.activate(
      rule,
      device,
      now,
      silentMs,
      `> ${limit / 1000} s (${rule.intervalMultiplier} × ${quietOf(device, offline)} s)`,
    );
  }

  private judgeOverdue(rule: AbsenceRule, device: DeviceContext, now: number): void {
    const key = alertKey(rule.id, device.site, device.id);
    const last = this.evidence.get(key);
    if (last === undefined) {
      this.record(key, now);
      return;
    }
    const limitMs = (rule.silenceS ?? 0) * 1000;
    // An info event may wait up to one batch interval at the gateway before it reaches us.
    if (now - last <= limitMs + device.batchIntervalS * 1000) return;
    this.activate(rule, device, now, now - last, `> ${describeDuration(limitMs)}`);
  }

  private activate(
    rule: AbsenceRule,
    device: DeviceContext,
    now: number,
    silentMs: number,
    threshold: string,
  ): void {
    this.context.book.activate(
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
      { at: now, value: Math.round(silentMs / 1000), threshold },
      rule.forS,
    );
  }

  private record(key: string, at: number): void {
    this.evidence.set(key, at);
    this.newEvidence.push({ key, at });
  }
}

function describeDuration(ms: number): string {
  const s = ms / 1000;
  if (s >= 86_400 && s % 86_400 === 0) return `${s / 86_400} d`;
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600} h`;
  return `${s} s`;
}
