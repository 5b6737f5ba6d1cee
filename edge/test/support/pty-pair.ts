import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../../runtime/index.js';

/**
 * Two connected pseudo-terminals made by socat: a real serial line for tests. The
 * gateway opens `a`, the simulated meters `b`. Restarting gives the same paths back.
 */
export class PtyPair {
  private child: ChildProcess | undefined;

  constructor(private readonly dir: string) {}

  get a(): string {
    return join(this.dir, 'a');
  }

  get b(): string {
    return join(this.dir, 'b');
  }

  async start(): Promise<void> {
    const child = spawn(
      'socat',
      ['-d', '-d', `pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`],
      { stdio: 'ignore' },
    );
    this.child = child;
    await waitFor('socat pty links', () => existsSync(this.a) && existsSync(this.b), { intervalMs: 20 });
  }

  /** Ends socat: both ends of the line vanish, as when a USB adapter is pulled. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
    await waitFor('pty links removed', () => !existsSync(this.a) && !existsSync(this.b), { intervalMs: 20 });
  }
}
