import type { EventMessage, TelemetryMessage } from '../../../contracts/index.js';
import { printableText } from '../../../runtime/index.js';
import { conditionHolds, describeCondition } from '../../rules/condition.js';
import type { WindowRule } from '../../rules/rule-schema.js';
import { selectsDevice } from '../../rules/selectors.js';
import { alertKey, type AlertSubject } from '../alert-book.js';
import { unitSymbol, type DeviceContext } from '../site-index.js';
import type { EvaluationContext } from './evaluation-context.js';
import { TimeOfDayWindow } from './time-of-day.js';

interface Sample {
  at: number;
  value: number;
}

interface Series {
  subject: AlertSubject;
  device: DeviceContext;
  samples: Sample[];
  /** The field's last value received (min/max windows), which a sparse stream holds until the next. */
  held?: Sample;
  /** Time-of-day rules: start of the window the samples belong to. */
  windowStart?: number;
  /** Time-of-day rules: end of the last window judged; a batch arriving late does not reopen it. */
  judgedUntil?: number;
}

/**
 * Aggregates over a window: a count of events (5 denied cards at one door in 60 s),
 * or the minimum/maximum of a field (night minimum flow between 01:00 and 05:00,
 * judged when the night window closes). A device under report by exception does not
 * re-send a value that stays within its deadband: its last value is sampled by the clock,
 * once per poll interval for as long as it holds (its quiet limit at most), so a still
 * value counts as the polls that read it would have (a steady leak all night).
 */
export class WindowEvaluator {
  private readonly series = new Map<string, Series>();
  private readonly timeWindows = new Map<string, TimeOfDayWindow>();

  constructor(
    private readonly rules: readonly WindowRule[],
    private readonly context: EvaluationContext,
  ) {
    for (const rule of rules) {
      if (rule.timeOfDay) {
        const { from, to } = rule.timeOfDay;
        this.timeWindows.set(rule.id, new TimeOfDayWindow(from, to, context.policy.utcOffsetMinutes));
      }
    }
  }

  deviceEvent(device: DeviceContext, message: EventMessage): void {
    for (const rule of this.rules) {
      if (rule.aggregate !== 'count' || !rule.events.includes(message.type)) continue;
      if (!selectsDevice(rule.selectors, device)) continue;
      const group = rule.groupByData ? message.data[rule.groupByData] : undefined;
      const subjectId =
        group === undefined ? device.id : `${device.id}:${rule.groupByData}-${printableText(String(group))}`;
      const series = this.seriesFor(rule, device, subjectId);
      series.samples.push({ at: message.ts, value: 1 });
      this.prune(series, rule, message.ts);
      this.judgeSliding(rule, series, message.ts);
    }
  }

  telemetry(device: DeviceContext, message: TelemetryMessage): void {
    for (const rule of this.rules) {
      if (rule.aggregate === 'count' || !rule.field) continue;
      const value = message.values[rule.field];
      if (value === undefined || !selectsDevice(rule.selectors, device)) continue;
      const series = this.seriesFor(rule, device, `${device.id}:${rule.field}`);
      const window = this.timeWindows.get(rule.id);
      if (!window) {
        this.sampleHeld(series, message.ts);
        series.samples.push({ at: message.ts, value });
        series.held = { at: message.ts, value };
        this.prune(series, rule, message.ts);
        this.judgeSliding(rule, series, message.ts);
        continue;
      }
      if (series.windowStart !== undefined && message.ts >= window.endOf(series.windowStart)) {
        this.judgeClosedWindow(rule, series, window);
      }
      if (window.contains(message.ts) && message.ts >= (series.judgedUntil ?? Number.NEGATIVE_INFINITY)) {
        this.openHeld(series, window, message.ts);
        series.windowStart ??= window.startFor(message.ts);
        this.sampleHeld(series, message.ts);
        series.samples.push({ at: message.ts, value });
      }
      if (!series.held || series.held.at <= message.ts) series.held = { at: message.ts, value };
    }
  }

  tick(): void {
    const now = this.context.clock.now();
    for (const rule of this.rules) {
      const window = this.timeWindows.get(rule.id);
      for (const [key, series] of this.series) {
        if (series.subject.rule.id !== rule.id) continue;
        if (window) {
          // Readings of the window's last moments ride their gateway's batch: judged one batch later.
          const graceMs = series.device.batchIntervalS * 1000;
          if (series.windowStart !== undefined && now >= window.endOf(series.windowStart) + graceMs) {
            this.judgeClosedWindow(rule, series, window);
          }
          if (window.contains(now)) this.openHeld(series, window, now);
          if (series.windowStart !== undefined)
            this.sampleHeld(series, Math.min(now + 1, window.endOf(series.windowStart)));
          continue;
        }
        this.sampleHeld(series, now + 1);
        this.prune(series, rule, now);
        if (series.samples.length === 0) {
          this.context.book.deactivate(key, now);
          this.series.delete(key);
        } else {
          this.judgeSliding(rule, series, now);
        }
      }
    }
  }

  private seriesFor(rule: WindowRule, device: DeviceContext, subjectId: string): Series {
    const key = alertKey(rule.id, device.site, subjectId);
    let series = this.series.get(key);
    if (!series) {
      series = {
        subject: {
          rule,
          site: device.site,
          zone: device.zone,
          subject: subjectId,
          building: device.building,
          device: device.id,
          gateway: device.gateway,
          field: rule.field ?? 'count',
        },
        device,
        samples: [],
      };
      this.series.set(key, series);
    }
    return series;
  }

  private prune(series: Series, rule: WindowRule, now: number): void {
    const oldest = now - rule.windowS * 1000;
    while (series.samples.length > 0 && (series.samples[0] as Sample).at <= oldest) series.samples.shift();
  }

  private aggregate(rule: WindowRule, samples: readonly Sample[]): number {
    if (rule.aggregate === 'count') return samples.length;
    const values = samples.map((s) => s.value);
    return rule.aggregate === 'min' ? Math.min(...values) : Math.max(...values);
  }

  private judgeSliding(rule: WindowRule, series: Series, at: number): void {
    if (series.samples.length < (rule.aggregate === 'count' ? 1 : rule.minSamples)) return;
    this.judge(rule, series, this.aggregate(rule, series.samples), at);
  }

  /** A held value the device still stands by (report by exception) opens the time-of-day window at its start. */
  private openHeld(series: Series, window: TimeOfDayWindow, at: number): void {
    if (series.windowStart !== undefined || !this.holds(series, at)) return;
    const start = window.startFor(at);
    if (!series.held || !this.holds(series, start) || series.held.at > start) return;
    series.windowStart = start;
    series.samples.push({ at: start, value: series.held.value });
  }

  /** Whether the device is under report by exception and its last value is within its quiet limit at `at`. */
  private holds(series: Series, at: number): boolean {
    const { held, device } = series;
    if (!held || device.maxIntervalS === undefined || device.quietLimitS === undefined) return false;
    return at - held.at <= device.quietLimitS * 1000;
  }

  /** The held value sampled once per poll interval after the last sample, before `before` (ms). */
  private sampleHeld(series: Series, before: number): void {
    const { held, device } = series;
    if (
      !held ||
      device.maxIntervalS === undefined ||
      device.quietLimitS === undefined ||
      !device.pollIntervalS
    )
      return;
    const stepMs = device.pollIntervalS * 1000;
    const until = Math.min(before, held.at + device.quietLimitS * 1000 + 1);
    const last = series.samples.at(-1)?.at ?? held.at;
    const from = series.windowStart ?? Number.NEGATIVE_INFINITY;
    for (let at = Math.max(last, held.at) + stepMs; at < until; at += stepMs) {
      if (at >= from) series.samples.push({ at, value: held.value });
    }
  }

  private judgeClosedWindow(rule: WindowRule, series: Series, window: TimeOfDayWindow): void {
    const end = window.endOf(series.windowStart as number);
    this.sampleHeld(series, end);
    if (series.samples.length >= rule.minSamples)
      this.judge(rule, series, this.aggregate(rule, series.samples), end);
    series.samples = [];
    series.windowStart = undefined;
    series.judgedUntil = end;
  }

  private judge(rule: WindowRule, series: Series, value: number, at: number): void {
    const { book } = this.context;
    const key = alertKey(rule.id, series.subject.site, series.subject.subject);
    if (conditionHolds(rule.fire, value)) {
      const unit = rule.aggregate === 'count' ? '' : unitSymbol(rule.field);
      const threshold = `${rule.aggregate} ${describeCondition(rule.fire, unit)} / ${rule.windowS} s`;
      book.activate(series.subject, { at, value, threshold }, 0);
    } else {
      book.deactivate(key, at);
    }
  }
}
