import { DEMO_SITE_FILE, SiteRegistry } from '../../site/index.js';
import { AlertEngine, type EngineOutput } from '../engine/alert-engine.js';
import type { EnginePolicy } from '../engine/engine-policy.js';
import { FakeClock } from '../engine/clock.js';
import { SiteIndex } from '../engine/site-index.js';
import { DEFAULT_RULES_FILE, loadRules } from '../rules/load-rules.js';
import type { Rule } from '../rules/rule-schema.js';
import type { EventType } from '../../contracts/index.js';

export const SITE = 'demo-village';
export const GATEWAY = 'gw-center';
/** 2025-06-01 12:00 UTC = 20:00 in the village. */
export const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

export function demoSites(): SiteIndex {
  return new SiteIndex([SiteRegistry.fromFile(DEMO_SITE_FILE)]);
}

export function defaultRules(only?: readonly string[]): Rule[] {
  const rules = loadRules([DEFAULT_RULES_FILE]);
  return only ? rules.filter((r) => only.includes(r.id)) : rules;
}

/** An engine over the demo village with a fake clock, collecting everything it outputs. */
export function engineHarness(
  options: { rules?: Rule[]; policy?: Partial<EnginePolicy>; start?: number } = {},
) {
  const clock = new FakeClock(options.start ?? T0);
  const outputs: EngineOutput[] = [];
  const engine = new AlertEngine({
    rules: options.rules ?? defaultRules(),
    sites: demoSites(),
    clock,
    ...(options.policy ? { policy: options.policy } : {}),
    onOutput: (output) => outputs.push(output),
  });
  let seq = 0;
  const harness = {
    engine,
    clock,
    outputs,
    telemetry(device: string, values: Record<string, number>, ts = clock.now()) {
      return engine.telemetry(SITE, GATEWAY, device, { ts, seq: ++seq, values });
    },
    event(
      device: string,
      type: EventType,
      data: Record<string, string | number | boolean> = {},
      ts = clock.now(),
    ) {
      return engine.event(SITE, GATEWAY, device, { ts, seq: ++seq, type, data });
    },
    status(state: 'online' | 'offline', ts = clock.now()) {
      engine.gatewayStatus(SITE, GATEWAY, {
        state,
        ts,
        version: '1.0.0',
        ...(state === 'offline' ? { reason: 'lwt' as const } : {}),
      });
    },
    /** Advances the clock in steps of `stepMs`, ticking after each, calling `each` before the tick. */
    run(totalMs: number, stepMs: number, each?: (now: number) => void) {
      for (let t = 0; t < totalMs; t += stepMs) {
        clock.advance(stepMs);
        each?.(clock.now());
        engine.tick();
      }
    },
    notifications(reason?: string) {
      return outputs
        .flatMap((o) => o.notifications)
        .filter((n) => reason === undefined || n.reason === reason);
    },
    transitions(ruleId: string) {
      return outputs
        .flatMap((o) => o.changes)
        .filter((c) => c.alert.ruleId === ruleId)
        .map((c) => c.transition);
    },
  };
  return harness;
}
