import type { TelemetryMessage } from '../../../contracts/index.js';
import { conditionHolds, describeCondition, negate } from '../../rules/condition.js';
import type { ThresholdRule } from '../../rules/rule-schema.js';
import { selectsDevice } from '../../rules/selectors.js';
import { alertKey } from '../alert-book.js';
import { unitSymbol, type DeviceContext } from '../site-index.js';
import type { EvaluationContext } from './evaluation-context.js';

/** One value a rule judges: a field of a device, or the device's fields combined. */
interface Reading {
  subject: string;
  field: string;
  value: number;
}

/**
 * Threshold rules with hysteresis: the fire condition must hold `forS` before firing,
 * the clear condition (separate from fire) must hold `clearForS` before resolving,
 * and between the two the alert keeps its state. A rule judges each field on its own,
 * or the device's fields combined (the highest phase voltage, the phase unbalance); with
 * `relativeTo`, values are judged as fractions of the device's rating.
 */
export class ThresholdEvaluator {
  /** Last message time per rule and subject: late or replayed samples do not rewind state. */
  private readonly lastTs = new Map<string, number>();

  private readonly byId: ReadonlyMap<string, ThresholdRule>;

  constructor(
    private readonly rules: readonly ThresholdRule[],
    private readonly context: EvaluationContext,
  ) {
    this.byId = new Map(rules.map((rule) => [rule.id, rule]));
  }

  /**
   * A device under report by exception sends a field only when it moved past its deadband,
   * so its last value holds until the next message: what `forS` and `clearForS` wait for
   * comes due by the clock, as long as the device is not quieter than its limit (then the
   * absence rules speak, and the last value is no longer evidence).
   */
  tick(): void {
    const { book, clock, sites } = this.context;
    const now = clock.now();
    for (const alert of book.openAlerts()) {
      const rule = this.byId.get(alert.ruleId);
      const device = alert.device === undefined ? undefined : sites.device(alert.site, alert.device);
      if (!rule || device?.maxIntervalS === undefined || device.quietLimitS === undefined) continue;
      const last = this.lastTs.get(alert.key);
      if (last === undefined || now - last > device.quietLimitS * 1000) continue;
      book.advance(alert.key, now, rule.forS, rule.clearForS);
    }
  }

  telemetry(device: DeviceContext, message: TelemetryMessage): void {
    for (const rule of this.rules) {
      if (!selectsDevice(rule.selectors, device)) continue;
      const rating = rule.relativeTo === undefined ? 1 : device.ratings[rule.relativeTo];
      if (rating === undefined) continue;
      for (const reading of readingsOf(rule, device.id, message.values)) {
        this.evaluate(rule, device, reading, rating, message.ts);
      }
    }
  }

  private evaluate(
    rule: ThresholdRule,
    device: DeviceContext,
    reading: Reading,
    rating: number,
    at: number,
  ): void {
    const key = alertKey(rule.id, device.site, reading.subject);
    const last = this.lastTs.get(key);
    if (last !== undefined && at <= last) return;
    this.lastTs.set(key, at);

    const { book } = this.context;
    const judged = reading.value / rating;
    if (conditionHolds(rule.fire, judged)) {
      book.activate(
        {
          rule,
          site: device.site,
          zone: device.zone,
          subject: reading.subject,
          building: device.building,
          device: device.id,
          gateway: device.gateway,
          field: reading.field,
        },
        { at, value: reading.value, threshold: describeLimit(rule, reading.field, rating) },
        rule.forS,
      );
    } else if (conditionHolds(rule.clear ?? negate(rule.fire), judged)) {
      book.deactivate(key, at, rule.clearForS);
    } else {
      book.hold(key);
    }
  }
}

function readingsOf(
  rule: ThresholdRule,
  device: string,
  values: Readonly<Record<string, number>>,
): Reading[] {
  const present = rule.fields.filter((f) => values[f] !== undefined);
  if (present.length === 0) return [];
  const numbers = present.map((f) => values[f] as number);
  switch (rule.combine) {
    case 'each':
      return present.map((field, i) => ({
        subject: `${device}:${field}`,
        field,
        value: numbers[i] as number,
      }));
    case 'max':
      return [
        {
          subject: device,
          field: present[numbers.indexOf(Math.max(...numbers))] as string,
          value: Math.max(...numbers),
        },
      ];
    case 'min':
      return [
        {
          subject: device,
          field: present[numbers.indexOf(Math.min(...numbers))] as string,
          value: Math.min(...numbers),
        },
      ];
    case 'unbalance_pct': {
      if (present.length !== rule.fields.length) return [];
      const mean = numbers.reduce((a, b) => a + b, 0) / numbers.length;
      if (mean <= 0) return [];
      const deviation = Math.max(...numbers.map((n) => Math.abs(n - mean)));
      return [{ subject: device, field: 'unbalance_pct', value: Math.round((deviation / mean) * 1000) / 10 }];
    }
  }
}

/** "< 198 V", "> 1 × 63 A (rated)": the limit as people read it, in the field's unit. */
function describeLimit(rule: ThresholdRule, field: string, rating: number): string {
  const unit = unitSymbol(field);
  if (rule.relativeTo === undefined) return describeCondition(rule.fire, unit);
  const scaled = 'op' in rule.fire ? { ...rule.fire, value: rule.fire.value * rating } : rule.fire;
  return `${describeCondition(scaled, unit)} (${describeCondition(rule.fire)} × ${rating} ${unitSymbol(rule.relativeTo)})`;
}
