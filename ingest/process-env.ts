/**
 * Environment ingest's process should start with. V8 grows the young generation to 16 MB
 * semi-spaces under load, sized for throughput; ingest's garbage is short-lived (payloads,
 * parsed readings, line bytes) and 4 MB semi-spaces collect it as well. Under saturating
 * load (bench/README.md, `node-red`, 3 rounds, same round): peak RSS 96 % (batch topic, 205
 * against 223 MiB) and 94 % (per-device) of V8's default, CPU per point 96 % and 82 %; an
 * earlier two-round run read 211–252 against 258–281 MiB at peak and 130 against 149 MiB
 * after start, for 10–40 % more CPU per point: at a county's 1,800 points a second that is
 * tenths of a percent of a core either way.
 */
export const INGEST_YOUNG_GENERATION_MB = 4;

export const INGEST_PROCESS_ENV = {
  NODE_OPTIONS: `--max-semi-space-size=${INGEST_YOUNG_GENERATION_MB}`,
} as const;
