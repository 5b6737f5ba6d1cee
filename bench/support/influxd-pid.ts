import { readdirSync, readFileSync } from 'node:fs';

/** The pid of the influxd whose command line names a config under `dataDir` (ManagedInfluxd runs it under a shell watchdog). */
export function findInfluxdPid(dataDir: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline[0]?.endsWith('influxd') && cmdline.some((arg) => arg.startsWith(dataDir)))
        return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}
