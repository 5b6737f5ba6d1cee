import { usePortRange } from '../../runtime/index.js';

/**
 * Runs in every vitest worker before its test files: each worker picks free ports from a
 * band of its own (8 bands of 1500 in 20000–31999), so two suites running side by side
 * never pick the same port between finding it free and binding it.
 */
const BANDS = 8;
const BAND_SIZE = 1500;
const worker = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 0);
const band = Number.isInteger(worker) ? Math.abs(worker) % BANDS : 0;
usePortRange({ first: 20000 + band * BAND_SIZE, size: BAND_SIZE });
