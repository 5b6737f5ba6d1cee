import { join } from 'node:path';
import { Child } from './child-process.js';

export type FloodMode = 'unknown-users' | 'known-user';

export interface FloodReport {
  attempted: number;
  outcomes: Record<string, number>;
  elapsedS: number;
}

/** connect-flood-main.ts in its own process: bad CONNECTs at a fixed rate, counted by outcome. */
export class ConnectFlood {
  private child: Child | undefined;
  report: FloodReport = { attempted: 0, outcomes: {}, elapsedS: 0 };

  constructor(
    private readonly options: {
      port: number;
      rate: number;
      mode: FloodMode;
      username: string;
      addresses: number;
      dir: string;
    },
  ) {}

  get pid(): number {
    return (this.child as Child).pid;
  }

  start(): void {
    const { options } = this;
    const child = Child.node('bench/support/connect-flood-main.ts', [], {
      logFile: join(options.dir, 'connect-flood.log'),
      ipc: true,
      env: {
        PORT: String(options.port),
        RATE: String(options.rate),
        MODE: options.mode,
        USERNAME: options.username,
        ADDRESSES: String(options.addresses),
      },
    });
    child.process.on('message', (report: FloodReport) => (this.report = report));
    this.child = child;
  }

  async stop(): Promise<FloodReport> {
    await this.child?.stop();
    this.child = undefined;
    return this.report;
  }
}
