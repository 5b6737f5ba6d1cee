import { durationWords } from '../duration-words.js';

export type Parity = 'none' | 'even' | 'odd';
export type SweptProtocol = 'modbus' | 'dlt645' | 'cjt188';

/** One way a serial line can be set: the baud rate and parity (8 data bits, 1 stop bit). */
export interface LineSetting {
  baudRate: number;
  parity: Parity;
}

/**
 * The settings `--baud auto` / `--parity auto` try, most common first: Modbus meters
 * ship at 9600 8N1 and are often set to 19200 or 8E1; DL/T 645 and CJ/T 188 meters
 * leave the factory at 2400 8E1, older ones at 1200.
 */
export const LINE_SWEEPS: Readonly<Record<SweptProtocol, { bauds: number[]; parities: Parity[] }>> = {
  modbus: { bauds: [9600, 19200, 4800, 2400, 38400, 115200], parities: ['none', 'even', 'odd'] },
  dlt645: { bauds: [2400, 1200, 4800, 9600], parities: ['even'] },
  cjt188: { bauds: [2400, 1200, 4800, 9600], parities: ['even'] },
};

const PARITIES: readonly Parity[] = ['none', 'even', 'odd'];

/** `9600 8N1`, as a meter's label or menu shows it. */
export function settingLabel(setting: LineSetting): string {
  return `${setting.baudRate} 8${setting.parity[0]?.toUpperCase()}1`;
}

/**
 * The settings a scan tries: `auto`, a list (`9600,19200`), or one value for each of
 * baud rate and parity; a missing one is the protocol's factory default (`fallback`).
 * Undefined when both are single values: a plain scan of one setting.
 */
export function lineSweep(
  protocol: SweptProtocol,
  baud: string | undefined,
  parity: string | undefined,
  fallback: LineSetting,
): LineSetting[] | undefined {
  const sweep = LINE_SWEEPS[protocol];
  const bauds = listOf(baud, sweep.bauds, fallback.baudRate, (text) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 300 || value > 921_600) {
      throw new Error(`波特率无效 / invalid baud rate "${text}" (300-921600, a list, or auto)`);
    }
    return value;
  });
  const parities = listOf(parity, sweep.parities, fallback.parity, (text) => {
    if (!(PARITIES as readonly string[]).includes(text)) {
      throw new Error(`校验位无效 / invalid parity "${text}" (none, even, odd, a list, or auto)`);
    }
    return text as Parity;
  });
  if (bauds.length === 1 && parities.length === 1 && baud !== 'auto' && parity !== 'auto') return undefined;
  return bauds.flatMap((baudRate) => parities.map((p) => ({ baudRate, parity: p })));
}

function listOf<T>(
  text: string | undefined,
  auto: readonly T[],
  fallback: T,
  parse: (part: string) => T,
): T[] {
  if (text === undefined) return [fallback];
  if (text === 'auto') return [...auto];
  return [...new Set(text.split(',').map((part) => parse(part.trim())))];
}

/**
 * Counts probes and tells how long the rest will take, from the time the probes so
 * far took: `[37/414] 19200 8E1 unit 12 · 1 个应答 answered · 剩余约 time left 41 s`.
 */
export class SweepProgress {
  private done = 0;
  private readonly started = performance.now();

  constructor(
    private readonly total: number,
    private readonly report: (line: string) => void,
  ) {}

  /** One more probe is about to go out: `what` names it. */
  next(what: string, answered: number): void {
    const elapsed = performance.now() - this.started;
    const left = this.done === 0 ? undefined : (elapsed / this.done) * (this.total - this.done);
    const time = left === undefined ? '' : ` · 剩余约 time left ${durationWords(left)}`;
    this.report(`[${this.done + 1}/${this.total}] ${what} · ${answered} 个应答 answered${time}`);
    this.done++;
  }
}
