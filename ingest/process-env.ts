/**
 * Environment ingest's process should start with. V8 grows the young generation to 16 MB
 * semi-spaces under load, sized for throughput; 4 MB semi-spaces keep ingest's peak RSS lower
 * for some CPU. Measured again once ingest read its own PUBLISH frames (a0d86f0), against V8's
 * default in the same rounds (`ingest-memory --build`, 5 rounds a run, the builds' roles
 * swapped between runs, 2026-12-07, load average 0.2–4.5): per-device peak RSS 89 % and 90 %
 * of the default's (121–123 against 136–137 MiB), CPU per point 114 % and 140 %; batch topic
 * RSS 93 %, 92 % and 100 % (the default's peaks spread to 218 MiB, 4 MB's to 189), CPU 118 %,
 * 103 % and 98 %.
 * Kept for the RSS: ingest is at 46–48 % of Node-RED's RSS against a target of under half, and
 * at 22–25 % of its CPU against a third (bench/README.md, 5a and 5b); at a county's 1,800
 * points a second the CPU is tenths of a percent of a core either way.
 */
export const INGEST_YOUNG_GENERATION_MB = 4;

export const INGEST_PROCESS_ENV = {
  NODE_OPTIONS: `--max-semi-space-size=${INGEST_YOUNG_GENERATION_MB}`,
} as const;
