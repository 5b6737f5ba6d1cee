/**
 * What ingest's hot-path tuning saves against the simpler code it replaced, per reading, and
 * what that is worth at the loads of docs/scaling.md (issue 26, "Also"). In process, on the
 * canonical telemetry of the other ingest benchmarks, alternating the two forms of each step
 * for several rounds (medians):
 *   validation — the fast path (hand-written readers, a checked subset of zod) vs zod alone;
 *   line       — `telemetryLine` (series key and field keys cached per device and profile) vs
 *                `toLineProtocol(toPoint(reading))`;
 * (The messages counter as a `HotCounter` and the seq tracker's key cached per device were
 * measured here too, saved 0.09 and 0.007 µs a reading, and were removed: bench/README.md.)
 * A step's saving × readings per second is the share of a core a user would get back.
 *
 *   npm run bench -- ingest-hot-path [--quick] [--rounds N]
 */
import {
  SiteDirectory,
  telemetryLine,
  toLineProtocol,
  toPoint,
  validateMessage,
  validateMessageWithZod,
  type ValidReading,
  type ValidationContext,
} from '../ingest/index.js';
import { DEMO_SITE_FILE, SiteRegistry } from '../site/index.js';
import { BENCH_SITE } from './support/bench-credentials.js';
import { CanonicalTelemetry } from './support/canonical-telemetry.js';
import { loadAverage } from './support/process-stats.js';
import { benchArgs, fmt, markdownTable, median, print } from './support/report.js';

const args = benchArgs();
const rounds = args.rounds ?? (args.quick ? 3 : 7);
const MESSAGES = 2000;
/** Readings a second at the loads of docs/scaling.md. */
const LOADS = { village: 4, county: 1_800, province: 180_000 };

const site = SiteRegistry.fromFile(DEMO_SITE_FILE);
if (site.siteId !== BENCH_SITE)
  throw new Error(`canonical telemetry is of ${BENCH_SITE}, not ${site.siteId}`);
const context: ValidationContext = {
  sites: new SiteDirectory([site]),
  maxPayloadBytes: 1 << 20,
  maxAgeDays: 365 * 10,
  maxFutureS: 3600,
};
// Timestamps near now, so the timestamp stage accepts them.
const telemetry = new CanonicalTelemetry(Date.now() - 3_600_000);
const perDevice = Array.from({ length: MESSAGES }, () => telemetry.telemetry());
const batches = Array.from({ length: MESSAGES / 20 }, () => telemetry.batch());
const readingsOf = (messages: typeof perDevice) =>
  messages.flatMap((m) => validateMessage(m.topic, m.payload, context).accepted);
const readings = readingsOf(perDevice);
if (readings.length !== perDevice.length) throw new Error('canonical telemetry was not accepted');
const batchReadings = batches.reduce((sum, m) => sum + m.points, 0);
type Telemetry = Extract<ValidReading, { kind: 'telemetry' }>;

let sink = 0;
/** CPU µs per reading of `work` over the readings it handles, repeated until ~50 ms have passed. */
function time(work: () => number): number {
  let handled = 0;
  const start = process.cpuUsage();
  const started = performance.now();
  while (performance.now() - started < 50) handled += work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / handled;
}

const STEPS: Array<{ step: string; tuned: string; simple: string; run: [() => number, () => number] }> = [
  {
    step: 'validation, per-device message',
    tuned: 'fast path',
    simple: 'zod',
    run: [
      () => perDevice.reduce((n, m) => n + validateMessage(m.topic, m.payload, context).accepted.length, 0),
      () =>
        perDevice.reduce(
          (n, m) => n + validateMessageWithZod(m.topic, m.payload, context).accepted.length,
          0,
        ),
    ],
  },
  {
    step: 'validation, batch (per reading)',
    tuned: 'fast path',
    simple: 'zod',
    run: [
      () => batches.reduce((n, m) => n + validateMessage(m.topic, m.payload, context).accepted.length, 0),
      () =>
        batches.reduce((n, m) => n + validateMessageWithZod(m.topic, m.payload, context).accepted.length, 0),
    ],
  },
  {
    step: 'line protocol',
    tuned: 'telemetryLine (cached keys)',
    simple: 'toLineProtocol(toPoint())',
    run: [
      () => {
        for (const r of readings) sink += telemetryLine(r as Telemetry).length;
        return readings.length;
      },
      () => {
        for (const r of readings) sink += toLineProtocol(toPoint(r)).length;
        return readings.length;
      },
    ],
  },
];

const loadBefore = loadAverage();
const results = STEPS.map(() => ({ tuned: [] as number[], simple: [] as number[] }));
for (let round = 0; round < rounds + 1; round++) {
  STEPS.forEach((step, i) => {
    const tuned = time(step.run[0]);
    const simple = time(step.run[1]);
    // The first round warms the code up and is not counted.
    if (round === 0) return;
    results[i]?.tuned.push(tuned);
    results[i]?.simple.push(simple);
  });
}
if (sink === 0) print('(nothing measured)');

const coreShare = (us: number, perS: number) => `${fmt((us * perS) / 1e4, 2)} %`;
print(
  `## ingest hot path, tuned vs simple — ${new Date().toISOString()} — ${rounds} rounds of ~50 ms each; ${batchReadings / batches.length} readings per batch`,
);
print(`load average before: ${loadBefore}; after: ${loadAverage()}`);
print();
print(
  markdownTable(
    [
      'step',
      'tuned',
      'µs per reading',
      'simple',
      'µs per reading',
      'saved at a county (1,800/s)',
      'at a province (180,000/s)',
    ],
    STEPS.map((step, i) => {
      const tuned = median(results[i]?.tuned ?? []);
      const simple = median(results[i]?.simple ?? []);
      return [
        step.step,
        step.tuned,
        fmt(tuned, 3),
        step.simple,
        fmt(simple, 3),
        `${coreShare(simple - tuned, LOADS.county)} of a core`,
        coreShare(simple - tuned, LOADS.province),
      ];
    }),
  ),
);
print();
print(
  `A village is ~${LOADS.village} readings a second: every saving above is below 0.01 % of a core there.`,
);
