/** Small helpers to print benchmark results as markdown. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function fmtInt(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

export function fmt(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

export function fmtPct(ratio: number): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(0)} %` : 'n/a';
}

/** Same-round ratios as their median, then each round: `94 % (94 %, 117 %, 90 %)`. */
export function fmtRatios(ratios: readonly number[]): string {
  return `${fmtPct(median(ratios))} (${ratios.map(fmtPct).join(', ')})`;
}

export function fmtMiB(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(0)} MiB` : 'n/a';
}

export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function print(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** `--quick` shortens every benchmark to ≤ 60 s; `--rounds N` overrides the repetitions. */
export function benchArgs(argv = process.argv.slice(2)): { quick: boolean; rounds: number | undefined } {
  const rounds = numberOption('--rounds', argv);
  return { quick: argv.includes('--quick'), rounds: Number.isFinite(rounds) ? rounds : undefined };
}

/** `--node-flag=--trace-gc` and the like: flags for the measured process's node (V8 flags NODE_OPTIONS refuses). */
export function nodeFlagOptions(argv = process.argv.slice(2)): string[] {
  return argv.filter((arg) => arg.startsWith('--node-flag=')).map((arg) => arg.slice('--node-flag='.length));
}

/** The number after `name` (`--rounds 3`): undefined without the option, NaN when what follows is no number. */
export function numberOption(name: string, argv = process.argv.slice(2)): number | undefined {
  const at = argv.indexOf(name);
  return at >= 0 ? Number(argv[at + 1]) : undefined;
}
