import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Starts `command args…` under a small shell watchdog in its own process group: if
 * this process dies without stopping it (a test runner killed hard), the watchdog
 * stops the child instead of leaving it orphaned. Stop it by signalling the group
 * (`process.kill(-child.pid, signal)`).
 */
export function spawnWatched(command: string, args: readonly string[], logFile?: string): ChildProcess {
  const watchdog = [
    '"$@" & child=$!',
    "trap 'kill -TERM $child 2>/dev/null; wait $child; exit' TERM INT",
    'while kill -0 "$SUPERVISOR" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done',
    'kill -TERM $child 2>/dev/null; wait $child',
  ].join('\n');
  const child = spawn('sh', ['-c', watchdog, 'watchdog', command, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, SUPERVISOR: String(process.pid) },
  });
  if (logFile) {
    const log = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  } else {
    child.stdout?.resume();
    child.stderr?.resume();
  }
  return child;
}

/** Rejects when the child fails to spawn or exits: race it against a readiness check. */
export function exitDuringStart(child: ChildProcess, name: string): Promise<never> {
  return new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`cannot start ${name}: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} during start-up`)));
  });
}

/** Signals the child's process group and resolves when it has exited. */
export function stopWatched(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolveExit) => {
    child.once('exit', () => resolveExit());
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  });
}

export function binaryOnPath(binary: string): boolean {
  const paths = (process.env.PATH ?? '').split(':');
  return binary.includes('/') ? existsSync(binary) : paths.some((p) => existsSync(join(p, binary)));
}
