import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Kernel clock ticks per second (USER_HZ); 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_S = 100;

/** User + system CPU seconds a process has used so far, from /proc/PID/stat (fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS_PER_S;
}

/** Resident set size in bytes, from VmRSS in /proc/PID/status. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

/** One mapping of /proc/PID/smaps (or the one `[rollup]` of smaps_rollup), its sizes in bytes. */
export interface SmapsMapping {
  /** Its address range; bigint, as [vsyscall] lies above 2^53. */
  start: bigint;
  end: bigint;
  /** `r-xp` and the like. */
  perms: string;
  /** The mapped file's path, a pseudo-name (`[heap]`, `[stack]`, `[rollup]`, …) or '' when anonymous. */
  name: string;
  /** Size, Rss, Pss and Anonymous; NaN where the text has no such line (smaps_rollup has no Size). */
  size: number;
  rss: number;
  pss: number;
  anonymous: number;
}

const KIB = 1024;
const SMAPS_HEADER = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/;
const SMAPS_FIELDS = { Size: 'size', Rss: 'rss', Pss: 'pss', Anonymous: 'anonymous' } as const;
const SMAPS_FIELD = /^(Size|Rss|Pss|Anonymous):\s+(\d+) kB$/;

/** The mappings of an smaps (or smaps_rollup) text, in its order. */
export function parseSmaps(text: string): SmapsMapping[] {
  const mappings: SmapsMapping[] = [];
  for (const line of text.split('\n')) {
    const header = SMAPS_HEADER.exec(line);
    if (header) {
      const [, start, end, perms, name] = header as unknown as [string, string, string, string, string];
      mappings.push({
        start: BigInt(`0x${start}`),
        end: BigInt(`0x${end}`),
        perms,
        name,
        size: NaN,
        rss: NaN,
        pss: NaN,
        anonymous: NaN,
      });
      continue;
    }
    const field = SMAPS_FIELD.exec(line);
    const mapping = mappings.at(-1);
    if (field && mapping)
      mapping[SMAPS_FIELDS[field[1] as keyof typeof SMAPS_FIELDS]] = Number(field[2]) * KIB;
  }
  return mappings;
}

/** Every mapping of a process, from /proc/PID/smaps. */
export function readSmaps(pid: number): SmapsMapping[] {
  return parseSmaps(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
}

/** The sums over a process's mappings the kernel keeps (/proc/PID/smaps_rollup): Pss without rounding each mapping's. */
export function readSmapsRollup(pid: number): SmapsMapping {
  const [rollup] = parseSmaps(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  if (!rollup) throw new Error(`no rollup in /proc/${pid}/smaps_rollup`);
  return rollup;
}

/** CPU used by a process between `begin()` and `end()`, and its peak RSS sampled meanwhile. */
export class ProcessMeter {
  private cpuAtStart = 0;
  private startedAt = 0;
  private peakRss = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pid: number) {}

  begin(): void {
    this.cpuAtStart = cpuSeconds(this.pid);
    this.startedAt = performance.now();
    this.peakRss = rssBytes(this.pid);
    this.timer = setInterval(() => {
      this.peakRss = Math.max(this.peakRss, rssBytes(this.pid));
    }, 250);
  }

  /** CPU seconds used, wall seconds elapsed and peak RSS since `begin()`. */
  end(): { cpuS: number; wallS: number; peakRssBytes: number } {
    clearInterval(this.timer);
    this.peakRss = Math.max(this.peakRss, rssBytes(this.pid));
    return {
      cpuS: cpuSeconds(this.pid) - this.cpuAtStart,
      wallS: (performance.now() - this.startedAt) / 1000,
      peakRssBytes: this.peakRss,
    };
  }
}

/** The whole machine's load average over the last minute, for the "load conditions" note. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/**
 * Waits until `pid` has used under `maxCores` of a core over one `intervalMs`, or `timeoutMs`
 * passed, and returns the seconds waited. influxd snapshots its cache and compacts TSM
 * files after a burst of writes; a run that starts meanwhile is charged for another's work.
 */
export async function waitUntilQuiet(
  pid: number,
  { maxCores = 0.05, intervalMs = 1000, timeoutMs = 60_000 } = {},
): Promise<number> {
  const startedAt = performance.now();
  let before = cpuSeconds(pid);
  while (performance.now() - startedAt < timeoutMs) {
    await sleep(intervalMs);
    const now = cpuSeconds(pid);
    if (now - before < (maxCores * intervalMs) / 1000) break;
    before = now;
  }
  return (performance.now() - startedAt) / 1000;
}
