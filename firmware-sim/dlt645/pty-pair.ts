import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Two ends of a virtual serial cable: what is written to one is read from the other. */
export interface PtyPair {
  /** Paths (symlinks to /dev/pts/N) to open as serial ports. */
  a: string;
  b: string;
  /** Ends socat and removes the links; safe to call twice. */
  stop(): Promise<void>;
}

export interface PtyPairOptions {
  socatPath?: string;
  /** How long socat may take to create both terminals, ms. */
  startTimeoutMs?: number;
}

/**
 * Creates a real pseudo-terminal pair with socat, the way RS-485 code is tested
 * without hardware: a simulator opens one end as a serial port, a client the other.
 * Needs socat on the PATH (stack/system-deps.sh installs it).
 */
export async function startPtyPair(options: PtyPairOptions = {}): Promise<PtyPair> {
  const dir = await mkdtemp(join(tmpdir(), 'pty-pair-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const child = spawn(
    options.socatPath ?? 'socat',
    ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timeoutMs = options.startTimeoutMs ?? 5000;
      const timer = setTimeout(
        () => settle(new Error(`socat did not create the terminals within ${timeoutMs} ms: ${log}`)),
        timeoutMs,
      );
      const settle = (error?: Error) => {
        clearTimeout(timer);
        child.stderr.removeListener('data', onLog);
        child.removeListener('error', onError);
        child.removeListener('exit', onExit);
        // Keep draining socat's log so a full pipe never blocks it.
        child.stderr.resume();
        if (error) reject(error);
        else resolve();
      };
      const onLog = (chunk: Buffer) => {
        log += chunk.toString();
        // socat logs this once both terminals and their links exist.
        if (log.includes('starting data transfer loop')) settle();
      };
      const onError = (error: Error) =>
        settle(new Error(`cannot run socat (install it: stack/system-deps.sh): ${error.message}`));
      const onExit = (code: number | null) =>
        settle(new Error(`socat exited (${code}) before the terminals were ready: ${log}`));
      child.stderr.on('data', onLog);
      child.once('error', onError);
      child.once('exit', onExit);
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { a, b, stop };
}
