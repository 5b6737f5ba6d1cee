import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { PROJECT_ROOT, siblingEntryCommand, waitFor } from '../runtime/index.js';

export interface ServiceProcessOptions {
  name: string;
  /** Entry file relative to the project root, e.g. `broker/main.ts`. */
  entry: string;
  args?: string[];
  env?: Record<string, string>;
  /** JSON log lines of the service are appended here. */
  logFile: string;
  /** URL that answers 200 when the service is ready. */
  readyUrl?: string;
}

/**
 * One service of the stack as a real OS process, so tests can kill it with SIGKILL and
 * start it again exactly as a supervisor would. It runs the way this process does: the
 * TypeScript through tsx, or the build's JavaScript when this process is the build.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;

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
    this.log = createWriteStream(this.options.logFile, { flags: 'a', mode: 0o600 });
    const child = spawn(
      process.execPath,
      [...siblingEntryCommand(this.options.entry), ...(this.options.args ?? [])],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, VILLAGE_SUPERVISOR_PID: String(process.pid), ...this.options.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    if (waitReady && this.options.readyUrl) await this.waitReady();
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    const url = this.options.readyUrl;
    if (!url) return;
    await waitFor(
      `${this.options.name} ready at ${url}`,
      async () => {
        if (!this.running)
          throw new Error(
            `${this.options.name} exited (code ${this.child?.exitCode}); see ${this.options.logFile}`,
          );
        const response = await fetch(url);
        return response.status === 200;
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  /** Stops the process: SIGTERM for a clean shutdown, SIGKILL to simulate a crash or power cut. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    await new Promise<void>((resolveExit) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolveExit();
      });
      child.kill(signal);
    });
    this.child = undefined;
    this.log?.end();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
