import { setTimeout as sleep } from 'node:timers/promises';
import { ProcessMeter } from './process-stats.js';

export interface WindowResult {
  /** Progress units per second over the window. */
  rate: number;
  wallS: number;
  /** CPU seconds per named process over the window. */
  cpuS: Record<string, number>;
  peakRssBytes: Record<string, number>;
}

/**
 * While a load runs, skips `warmupS`, then measures progress (e.g. points InfluxDB
 * accepted) and each process' CPU over `measureS`.
 */
export async function measureWindow(options: {
  warmupS: number;
  measureS: number;
  progress: () => number | Promise<number>;
  processes: Record<string, number>;
}): Promise<WindowResult> {
  await sleep(options.warmupS * 1000);
  const meters = Object.entries(options.processes).map(
    ([name, pid]) => [name, new ProcessMeter(pid)] as const,
  );
  const before = await options.progress();
  const startedAt = performance.now();
  for (const [, meter] of meters) meter.begin();
  await sleep(options.measureS * 1000);
  const after = await options.progress();
  const wallS = (performance.now() - startedAt) / 1000;
  const cpuS: Record<string, number> = {};
  const peakRssBytes: Record<string, number> = {};
  for (const [name, meter] of meters) {
    const used = meter.end();
    cpuS[name] = used.cpuS;
    peakRssBytes[name] = used.peakRssBytes;
  }
  return { rate: (after - before) / wallS, wallS, cpuS, peakRssBytes };
}
