import { createLogger } from '../../runtime/index.js';

/** Where CLI commands write their report (stdout in the CLI, a buffer in tests). */
export type Print = (line: string) => void;

/** The CLI reports in text; library logs below `error` would only clutter the terminal. */
export const cliLogger = createLogger('edge-cli', { level: process.env.LOG_LEVEL ?? 'error' });

/**
 * A progress line: redrawn in place on a terminal; elsewhere (a pipe, a log) printed
 * at most every `everyMs`, so a long scan shows it is alive without flooding.
 */
export function progressLine(stream: NodeJS.WriteStream, everyMs = 2000): (line: string) => void {
  if (stream.isTTY) return (line) => stream.write(`\r${line}\x1b[K`);
  let last = -Infinity;
  return (line) => {
    const now = performance.now();
    if (now - last < everyMs) return;
    last = now;
    stream.write(`${line}\n`);
  };
}

/** Asks on the terminal (or reads a line from a pipe); `yes` answers for the technician. */
export function terminalConfirm(yes: boolean): (question: string) => Promise<boolean> {
  return async (question) => {
    if (yes) return true;
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: process.stdin.isTTY,
    });
    try {
      const answer = await rl.question(question);
      return /^(y|yes|是|确认)$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  };
}
