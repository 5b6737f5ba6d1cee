import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { DEMO_SITE_FILE, SiteRegistry, siteSchema } from '../../site/index.js';
import { AlertEngine, type EngineOutput } from '../engine/alert-engine.js';
import type { EnginePolicy } from '../engine/engine-policy.js';
import { FakeClock } from './fake-clock.js';
import { SiteIndex, type DeviceContext } from '../engine/site-index.js';
import { DEFAULT_RULES_FILE, loadRules } from '../rules/load-rules.js';
import type { Rule } from '../rules/rule-schema.js';
import type { EventType } from '../../contracts/index.js';

export const SITE = 'demo-village';
export const GATEWAY = 'gw-center';
/** 2025-06-01 12:00 UTC = 20:00 in the village. */
export const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

/**
 * The demo village as these tests drive it: a reading every poll, as a site without report
 * by exception sends them (engine-report-by-exception.unit.test.ts drives the sparse stream).
 */
export function demoSites(): SiteIndex {
  const site = SiteRegistry.fromFile(DEMO_SITE_FILE).site;
  return new SiteIndex([new SiteRegistry({ ...site, reporting: {} })]);
}

/** The demo village with report by exception: every polled field at least every `maxIntervalS` (300 s). */
export function sparseSites(maxIntervalS = 300, batchIntervalS?: number): SiteIndex {
  const site = siteSchema.parse({
    ...(parseYaml(readFileSync(DEMO_SITE_FILE, 'utf8')) as object),
    reporting: { maxIntervalS, ...(batchIntervalS ? { batchIntervalS } : {}) },
  });
  return new SiteIndex([new SiteRegistry(site)]);
}

export function defaultRules(only?: readonly string[]): Rule[] {
  const rules = loadRules([DEFAULT_RULES_FILE]);
  return only ? rules.filter((r) => only.includes(r.id)) : rules;
}

/** The demo gateway's polled meters. */
export const METERS: readonly DeviceContext[] = demoSites()
  .devicesOfGateway(SITE, GATEWAY)
  .filter((d) => d.pollIntervalS !== undefined);

export const THREE_PHASE_OK = {
  voltage_l1_v: 229,
  voltage_l2_v: 230,
  voltage_l3_v: 231,
  current_l1_a: 20,
  current_l2_a: 21,
  current_l3_a: 19,
  frequency_hz: 50,
};
export const SINGLE_PHASE_OK = { voltage_v: 229, current_a: 10, frequency_hz: 50 };

/** What a healthy meter of the demo village reads. */
export function normalValues(device: string): Record<string, number> {
  if (device.endsWith('-pressure')) return { pressure_mpa: 0.25 };
  if (device.endsWith('-flow')) return { flow_m3h: 1.2 };
  if (device.endsWith('-quality')) return { turbidity_ntu: 0.3, water_ph: 7.2, free_chlorine_mgl: 0.5 };
  const profile = METERS.find((m) => m.id === device)?.profile;
  return profile === 'chint-dtsu666' ? THREE_PHASE_OK : SINGLE_PHASE_OK;
}

/** An engine over the demo village with a fake clock, collecting everything it outputs. */
export function engineHarness(
  options: { rules?: Rule[]; policy?: Partial<EnginePolicy>; start?: number; sites?: SiteIndex } = {},
) {
  const clock = new FakeClock(options.start ?? T0);
  const outputs: EngineOutput[] = [];
  const engine = new AlertEngine({
    rules: options.rules ?? defaultRules(),
    sites: options.sites ?? demoSites(),
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
    /** Every meter reports normal values, but those given their own (or `null`: silent). */
    meters(overrides: Readonly<Record<string, Record<string, number> | null>> = {}) {
      for (const meter of METERS) {
        const values = meter.id in overrides ? overrides[meter.id] : normalValues(meter.id);
        if (values) harness.telemetry(meter.id, values);
      }
    },
    /** A gateway status message; offline is its will unless `reason` says it announced a stop. */
    status(state: 'online' | 'offline', ts = clock.now(), reason?: 'shutdown') {
      engine.gatewayStatus(SITE, GATEWAY, {
        state,
        ts,
        version: '1.0.0',
        ...(state === 'offline' ? { reason: reason ?? ('lwt' as const) } : {}),
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
