import { BROKER_PROCESS_ENV } from '../broker/index.js';

/**
 * Environment the gateway's process should start with. Node sizes V8's heap from the
 * memory it may use (under the systemd unit's MemoryMax=256M the heap limit comes out at
 * 259 MB), and V8 lets garbage pile up long before it collects: polling 500 meters, the
 * live heap is about 50 MB, yet the RSS climbed to ~220 MiB, past the unit's MemoryHigh
 * (192M) meant for a 1 GB board. Capping the old generation makes V8 collect sooner:
 * 166 MiB for 2–4 % more of a core (bench/README.md, edge-polling). A gateway with well
 * over a thousand meters needs this raised together with the unit's MemoryMax.
 */
export const EDGE_HEAP_LIMIT_MB = 128;

/**
 * V8's young generation grows to 16 MB semi-spaces by default. Smaller ones cost RSS less
 * and CPU more, as the gateway's allocations are collected more often; how much more
 * depends on what a poll allocates. Once a poll allocated a third less and no longer kept
 * Modbus answers alive (issue 26), 2 MB took 84 MiB at 100 meters a second for
 * 0.025–0.027 of a core, where 8 MB (shipped before) had taken 98 MiB for 0.027–0.030 and
 * takes 93 MiB for 0.021–0.024 now; 1 MB 82 MiB for 0.027–0.032 (the build before and after,
 * same rounds: bench/README.md; `gateway-memory` compares the flags). 2 MB: memory down, CPU no
 * worse than before.
 */
export const EDGE_YOUNG_GENERATION_MB = 2;

/**
 * Node takes only some V8 flags in NODE_OPTIONS; the daemon sets the one it needs beyond
 * these itself, compaction at every full collection (edge/v8-flags.ts).
 *
 * The LAN broker checks each device's password with the broker's scrypt (16 MiB of working
 * memory on a libuv thread), so it needs the broker's malloc threshold too: without it the
 * demo gateway, whose 23 LAN devices log in at start, stayed at 271 MiB RSS against 109.
 */
export const EDGE_PROCESS_ENV = {
  NODE_OPTIONS: `--max-old-space-size=${EDGE_HEAP_LIMIT_MB} --max-semi-space-size=${EDGE_YOUNG_GENERATION_MB}`,
  ...BROKER_PROCESS_ENV,
} as const;
