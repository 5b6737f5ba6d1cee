import fc, { type Parameters, type RunDetails } from 'fast-check';

/**
 * Every fuzzer runs from one fixed seed, so a failure replays exactly; the report
 * names the seed and the counterexample's path. `FUZZ_SEED=<n>` explores other
 * inputs, `FUZZ_RUNS_FACTOR=<x>` runs longer.
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_250_917);
const RUNS_FACTOR = Number(process.env.FUZZ_RUNS_FACTOR ?? 1);

/** Counterexamples nested 10 000 levels deep would print as megabytes. */
const MAX_REPORT_CHARS = 4000;

function report<T>(details: RunDetails<T>): void {
  const message = fc.defaultReportMessage(details);
  if (message === undefined) return;
  throw new Error(
    message.length <= MAX_REPORT_CHARS ? message : `${message.slice(0, MAX_REPORT_CHARS)}… (report cut)`,
  );
}

export function fuzzOptions<T>(numRuns: number): Parameters<T> {
  return { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(numRuns * RUNS_FACTOR)), reporter: report };
}
