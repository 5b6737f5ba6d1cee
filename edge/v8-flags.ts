import { setFlagsFromString } from 'node:v8';

/**
 * V8 flags the gateway's daemon sets for itself as it starts (edge/main.ts). An ordinary full
 * collection frees garbage inside the old generation's pages but keeps the pages, so between
 * collections the gateway held ~20 MB of old generation for 11–12 MB live; compacting at
 * every full collection gives the emptied pages back. At 100 meters a second, in the same
 * rounds, 2–6 MiB less in every round (75 against 80 MiB side by side, 73–74 against 77 one
 * after the other) at the same CPU; at the demo site, which allocates little, the same RSS
 * (bench/README.md, `gateway-memory`, `gateway-memory-side-by-side`).
 *
 * Node refuses this flag in NODE_OPTIONS, so it is set here, which holds however the gateway
 * is started (the systemd unit, compose, the stack, the offline install). V8 reads it at each
 * full collection, so setting it after start-up takes effect from the next one
 * (edge/test/v8-flags.test.ts checks that it does); and a later Node that no longer knows the flag
 * ignores it here, where on the command line it would stop the gateway from starting.
 */
export const EDGE_V8_FLAGS = ['--compact-on-every-full-gc'] as const;

export function setEdgeV8Flags(): void {
  for (const flag of EDGE_V8_FLAGS) setFlagsFromString(flag);
}
