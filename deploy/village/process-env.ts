import { BROKER_PROCESS_ENV } from '../../broker/index.js';

/**
 * Environment the village process starts with. glibc's fixed mmap threshold is the broker's
 * and the gateway's (scrypt's 16 MiB blocks go back to the system once a password is checked).
 * V8's young generation of 1 MB semi-spaces is the gateway's (edge/process-env.ts): at a
 * village's load the few MB a second the modules allocate are collected as well as with 16.
 */
export const VILLAGE_PROCESS_ENV = {
  NODE_OPTIONS: '--max-semi-space-size=1',
  ...BROKER_PROCESS_ENV,
} as const;
