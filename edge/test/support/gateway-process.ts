import { spawn, type ChildProcess } from 'node:child_process';
import { PROJECT_ROOT, waitFor } from '../../../runtime/index.js';

/** The gateway as a real process (`node --import tsx edge/main.ts --config …`), to be killed for real. */
export class GatewayProcess {
  private child: ChildProcess | undefined;

  constructor(
    private readonly configFile: string,
    private readonly httpPort: number,
  ) {}

  async start(): Promise<void> {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'edge/main.ts', '--config', this.configFile], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitFor('gateway HTTP', async () => (await fetch(`${this.url}/healthz`)).ok, { timeoutMs: 20_000 });
  }

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  async status(): Promise<{ upstream: { connected: boolean }; buffer: { depth: number; dropped: number } }> {
    return (await (await fetch(`${this.url}/api/status`)).json()) as Awaited<
      ReturnType<GatewayProcess['status']>
    >;
  }

  /** SIGKILL (no cleanup at all, as a crash or power cut) or SIGTERM (clean stop); resolves on exit. */
  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}
