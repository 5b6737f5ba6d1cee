import type { TelemetryMessage } from '../../../contracts/index.js';
import { conditionHolds, describeCondition, negate } from '../../rules/condition.js';
import type { ThresholdRule } from '../../rules/rule-schema.js';
import { selectsDevice } from '../../rules/selectors.js';
import { alertKey } from '../alert-book.js';
import { unitSymbol, type DeviceContext } from '../site-index.js';
import type { EvaluationContext } from './evaluation-context.js';

/**
 * Threshold rules with hysteresis: the fire condition must hold `forS` before firing,
 * the clear condition (separate from fire) must hold `clearForS` before resolving,
 * and between the two the alert keeps its state.
 */
export class ThresholdEvaluator {
  /** Last message time per rule and subject: late or replayed samples do not rewind state. */
  private readonly lastTs = new Map<string, number>();

  constructor(
    private readonly rules: readonly ThresholdRule[],
    private readonly context: EvaluationContext,
  ) {}

  telemetry(device: DeviceContext, message: TelemetryMessage): void {
    for (const rule of this.rules) {
      if (!selectsDevice(rule.selectors, device)) continue;
      for (const field of rule.fields) {
        const value = message.values[field];
        if (value === undefined) continue;
        this.evaluate(rule, device, field, value, message.ts);
      }
    }
  }

  private evaluate(
    rule: ThresholdRule,
    device: DeviceContext,
    field: string,
    value: number,
    at: number,
  ): void {
    const subject = `${device.id}:${field}`;
    const key = alertKey(rule.id, device.site, subject);
    const last = this.lastTs.get(key);
    if (last !== undefined && at <= last) return;
    this.lastTs.set(key, at);

    const { book } = this.context;
    if (conditionHolds(rule.fire, value)) {
      book.activate(
        {
          rule,
          site: device.site,
          zone: device.zone,
          subject,
          building: device.building,
          device: device.id,
          gateway: device.gateway,
          field,
        },
        { at, value, threshold: describeCondition(rule.fire, unitSymbol(field)) },
        rule.forS,
      );
    } else if (conditionHolds(rule.clear ?? negate(rule.fire), value)) {
      book.deactivate(key, at, rule.clearForS);
    } else {
      book.hold(key);
    }
  }
}
