import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT, siblingEntryCommand, waitFor } from '../runtime/index.js';

/** How much of a service's log a failed start quotes. */
const LOG_TAIL_BYTES = 2_000;

export interface ServiceProcessOptions {
  name: string;
  /** Entry file relative to the project root, e.g. `broker/main.ts`. */
  entry: string;
  args?: string[];
  env?: Record<string, string>;
  /** JSON log lines of the service are appended here. */
  logFile: string;
  /** URL that answers 200 when the service is ready (every one of them, for a process hosting several). */
  readyUrl?: string | readonly string[];
  /**
   * Start the process again this long after an exit nobody asked for, as systemd's
   * Restart=always does (the single-process village, whose crash takes every module down).
   */
  restartAfterCrashMs?: number;
}

/**
 * One service of the stack as a real OS process, so tests can kill it with SIGKILL and
 * start it again exactly as a supervisor would. It runs the way this process does: the
 * TypeScript through tsx, or the build's JavaScript when this process is the build.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Exits nobody asked for since this object was made. */
  crashes = 0;

  constructor(readonly options: ServiceProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** `env` adds to the service's own environment for this run only (a restart with a changed setting). */
  async start({
    waitReady = true,
    env = {},
  }: { waitReady?: boolean; env?: Record<string, string> } = {}): Promise<void> {
    if (this.running) return;
    mkdirSync(dirname(this.options.logFile), { recursive: true, mode: 0o700 });
    // Logs are the service's own: no secret is in them, but what the village does is.
    this.log?.end();
    this.log = createWriteStream(this.options.logFile, { flags: 'a', mode: 0o600 });
    const child = spawn(
      process.execPath,
      [...siblingEntryCommand(this.options.entry), ...(this.options.args ?? [])],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, VILLAGE_SUPERVISOR_PID: String(process.pid), ...this.options.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: a Ctrl+C in the terminal reaches the stack runner alone, which
        // stops the services in its order (VillageStack.stop), not all of them at once.
        detached: true,
      },
    );
    this.child = child;
    child.once('exit', (code, signal) => this.exited(child, code, signal));
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    if (waitReady && this.options.readyUrl) await this.waitReady();
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    const { readyUrl } = this.options;
    const urls = typeof readyUrl === 'string' ? [readyUrl] : (readyUrl ?? []);
    for (const url of urls) {
      let exited = false;
      await waitFor(
        `${this.options.name} ready at ${url}`,
        async () => {
          if (!this.running) return (exited = true);
          const response = await fetch(url);
          return response.status === 200;
        },
        { timeoutMs, intervalMs: 200 },
      );
      if (exited) throw await this.exitedBeforeReady();
    }
  }

  /** Says why a start failed: the exit code and the end of the log, which a test may remove with its folder. */
  private async exitedBeforeReady(): Promise<Error> {
    const child = this.child;
    // What the process printed last may still be on its way through the pipes.
    if (child && child.stdout && !child.stdout.readableEnded) {
      await Promise.race([once(child, 'close'), sleep(2_000)]);
    }
    await new Promise<void>((resolve) => (this.log ? this.log.write('', () => resolve()) : resolve()));
    const { name, logFile } = this.options;
    return new Error(
      `${name} exited (code ${child?.exitCode}, signal ${child?.signalCode}) before it was ready; ` +
        `the end of ${logFile}:\n${await fileTail(logFile, LOG_TAIL_BYTES)}`,
    );
  }

  /** An exit of the current child that no stop() asked for is a crash: counted, and restarted when configured. */
  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.crashes++;
    const after = this.options.restartAfterCrashMs;
    this.log?.write(
      `${JSON.stringify({ level: 50, name: 'stack', msg: `${this.options.name} exited unexpectedly`, code, signal, restartInMs: after ?? null })}\n`,
    );
    if (after === undefined) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.start().catch(() => undefined); // a start that fails exits again, and comes back here
    }, after);
  }

  /** Stops the process: SIGTERM for a clean shutdown, SIGKILL to simulate a crash or power cut. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (!child || !this.running) return;
    this.child = undefined; // asked for: not a crash
    await new Promise<void>((resolveExit) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolveExit();
      });
      child.kill(signal);
    });
    this.log?.end();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

/** The last `bytes` of a file, from the first whole line; '' when there is no file. */
async function fileTail(file: string, bytes: number): Promise<string> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, bytes);
    const { buffer } = await handle.read(Buffer.alloc(length), 0, length, size - length);
    const text = buffer.toString('utf8');
    return length < size ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    await handle.close();
  }
}
