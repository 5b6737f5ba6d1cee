import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { connect } from 'node:net';
import { PROJECT_ROOT, siblingEntryCommand, waitFor } from '../../runtime/index.js';

export interface ChildOptions {
  /** Extra environment for the child. */
  env?: Record<string, string>;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** node flags before the entry (e.g. `--cpu-prof`). */
  nodeFlags?: string[];
  /** Opens an IPC channel (process.send in the child). */
  ipc?: boolean;
}

/** A benchmark participant in its own process, so its CPU and RSS can be read from /proc. */
export class Child {
  private constructor(readonly process: ChildProcess) {}

  get pid(): number {
    return this.process.pid as number;
  }

  /**
   * An entry given by its source path: its build output when this benchmark runs built
   * (`npm run bench`, as the services run in production), the TypeScript through tsx otherwise.
   */
  static node(entry: string, args: string[], options: ChildOptions): Child {
    return Child.spawn(
      process.execPath,
      [...(options.nodeFlags ?? []), ...siblingEntryCommand(entry), ...args],
      options,
    );
  }

  static spawn(command: string, args: string[], options: ChildOptions): Child {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    const child = spawn(command, args, {
      cwd: PROJECT_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
      stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    return new Child(child);
  }

  get exited(): boolean {
    return this.process.exitCode !== null || this.process.signalCode !== null;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolveExit) => this.process.once('exit', () => resolveExit()));
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await done;
    clearTimeout(timer);
  }
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port: number, child?: Child, timeoutMs = 30_000): Promise<void> {
  let exited = false;
  await waitFor(
    `port ${port}`,
    () => {
      if (child?.exited) exited = true;
      if (exited) return true;
      return new Promise<boolean>((resolveProbe) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolveProbe(true);
        });
        socket.once('error', () => resolveProbe(false));
      });
    },
    { timeoutMs },
  );
  if (exited) throw new Error(`process ${child?.pid} exited before listening on port ${port}; see its log`);
}
