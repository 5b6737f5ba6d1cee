import { EVENT_LABELS, type EventMessage, type EventType } from '../../../contracts/index.js';
import type { LinkageRule } from '../../rules/rule-schema.js';
import { selectsDevice } from '../../rules/selectors.js';
import { alertKey } from '../alert-book.js';
import type { DeviceContext } from '../site-index.js';
import type { EvaluationContext } from './evaluation-context.js';
import { eventMatches } from './event-evaluator.js';

/** One trigger being checked: a fire alarm in a building, and the responders that must answer. */
interface Check {
  rule: LinkageRule;
  trigger: DeviceContext;
  /** The trigger's own timestamp: responses are judged against it, not against arrival. */
  at: number;
  arrivedAt: number;
  /** Responder id → when it reported the expected state (undefined: not yet). */
  responded: Map<string, number | undefined>;
  judged: boolean;
}

/**
 * Checks one safety system against another: when a trigger event arrives (a fire
 * alarm), every device of the same building that the rule expects (emergency lights)
 * must report the expected state within `withinS` of the trigger, by the messages' own
 * timestamps. A responder already in that state counts as having answered. Once the
 * deadline and the transport allowance have passed, the ones that did not are named in
 * one incident per building; it resolves when all of them have answered or when the
 * trigger clears.
 */
export class LinkageEvaluator {
  private readonly checks = new Map<string, Check>();
  /** Responder id → since when it is in the expected state (undefined: not in it). */
  private readonly inState = new Map<string, number>();

  constructor(
    private readonly rules: readonly LinkageRule[],
    private readonly context: EvaluationContext,
  ) {}

  deviceEvent(device: DeviceContext, message: EventMessage): void {
    for (const rule of this.rules) {
      this.track(rule, device, message);
      if (selectsDevice(rule.selectors, device)) {
        if (eventMatches(rule.trigger, message.type, message.data)) this.startCheck(rule, device, message.ts);
        else if (rule.triggerClear && eventMatches(rule.triggerClear, message.type, message.data))
          this.endCheck(rule, device);
      }
    }
  }

  tick(): void {
    const now = this.context.clock.now();
    for (const check of this.checks.values()) {
      const deadline =
        Math.max(check.at + check.rule.withinS * 1000, check.arrivedAt) + check.rule.graceS * 1000;
      if (!check.judged && now >= deadline) check.judged = true;
      if (check.judged) this.judge(check, now);
    }
  }

  private stateKey(rule: LinkageRule, device: DeviceContext): string {
    return `${rule.id}|${device.site}|${device.id}`;
  }

  private checkKey(rule: LinkageRule, device: DeviceContext): string {
    return alertKey(rule.id, device.site, `building:${device.building}`);
  }

  /** Follows each responder's state, and answers open checks of its building. */
  private track(rule: LinkageRule, device: DeviceContext, message: EventMessage): void {
    if (!selectsDevice(rule.expect.selectors, device)) return;
    const key = this.stateKey(rule, device);
    if (rule.expect.events.includes(message.type as (typeof rule.expect.events)[number])) {
      if (!this.inState.has(key)) this.inState.set(key, message.ts);
      const check = this.checks.get(this.checkKey(rule, device));
      if (check?.responded.has(device.id) && check.responded.get(device.id) === undefined)
        check.responded.set(device.id, message.ts);
    } else if (rule.expectOff.includes(message.type as (typeof rule.expectOff)[number])) {
      this.inState.delete(key);
    }
  }

  private startCheck(rule: LinkageRule, trigger: DeviceContext, at: number): void {
    const key = this.checkKey(rule, trigger);
    if (this.checks.has(key)) return;
    const responders = this.context.sites
      .devicesOfBuilding(trigger.site, trigger.building)
      .filter((d) => selectsDevice(rule.expect.selectors, d));
    if (responders.length === 0) return;
    const responded = new Map<string, number | undefined>();
    for (const responder of responders) {
      const since = this.inState.get(this.stateKey(rule, responder));
      responded.set(responder.id, since !== undefined && since <= at ? at : undefined);
    }
    this.checks.set(key, {
      rule,
      trigger,
      at,
      arrivedAt: this.context.clock.now(),
      responded,
      judged: false,
    });
  }

  private endCheck(rule: LinkageRule, trigger: DeviceContext): void {
    const key = this.checkKey(rule, trigger);
    const check = this.checks.get(key);
    if (!check || check.trigger.id !== trigger.id) return;
    this.checks.delete(key);
    this.context.book.deactivate(key, this.context.clock.now());
  }

  private judge(check: Check, now: number): void {
    const { rule, trigger } = check;
    const limit = check.at + rule.withinS * 1000;
    const failed = [...check.responded]
      .filter(([, at]) => at === undefined || at > limit)
      .map(([id]) => this.context.sites.device(trigger.site, id))
      .filter((d): d is DeviceContext => d !== undefined);
    const stillMissing = failed.filter((d) => check.responded.get(d.id) === undefined);
    const key = this.checkKey(rule, trigger);
    if (stillMissing.length === 0) {
      // Everyone has answered, late or not: the failure is on record in the alert's timeline.
      this.context.book.deactivate(key, now);
      if (failed.length === 0 || !this.context.book.open(key)) this.checks.delete(key);
      return;
    }
    this.context.book.activate(
      {
        rule,
        site: trigger.site,
        zone: trigger.zone,
        subject: `building:${trigger.building}`,
        building: trigger.building,
        device: trigger.id,
        gateway: trigger.gateway,
      },
      {
        at: now,
        value: stillMissing.length,
        threshold: `${rule.withinS} s`,
        detail: describeFailure(check, stillMissing),
      },
      0,
    );
  }
}

function label(type: string): { zh: string; en: string } {
  return EVENT_LABELS[type as EventType] ?? { zh: type, en: type };
}

function describeFailure(check: Check, missing: readonly DeviceContext[]): { zh: string; en: string } {
  const { rule, trigger } = check;
  const cause = label(rule.trigger.events[0] as string);
  const wanted = label(rule.expect.events[0] as string);
  return {
    zh: `${trigger.buildingName}：${trigger.name}「${cause.zh}」后 ${rule.withinS} 秒内未「${wanted.zh}」：${missing.map((d) => d.name).join('、')}`,
    en: `${trigger.buildingNameEn}: no "${wanted.en}" within ${rule.withinS} s of the ${cause.en} from ${trigger.nameEn}: ${missing.map((d) => d.nameEn).join(', ')}`,
  };
}
