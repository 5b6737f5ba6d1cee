import { join } from 'node:path';
import { waitFor } from '../../runtime/index.js';
import { Child } from './child-process.js';

/** The Modbus TCP farm (modbus-farm-main.ts) as a process: its ports and its served-request count. */
export class ModbusFarm {
  private child: Child | undefined;
  ports: number[] = [];
  private lastCount = 0;
  private countWaiters: Array<(count: number) => void> = [];

  constructor(private readonly options: { buses: number; profiles: readonly string[]; dir: string }) {}

  /** The profile of each bus's meters (unit ids 1…n). */
  get profiles(): readonly string[] {
    return this.options.profiles;
  }

  get pid(): number {
    return (this.child as Child).pid;
  }

  async start(): Promise<void> {
    const child = Child.node('bench/support/modbus-farm-main.ts', [], {
      logFile: join(this.options.dir, 'modbus-farm.log'),
      ipc: true,
      env: { BUSES: String(this.options.buses), PROFILES: this.options.profiles.join(',') },
    });
    child.process.on('message', (message: { ports?: number[]; requests?: number }) => {
      if (message.ports) this.ports = message.ports;
      if (message.requests !== undefined) {
        this.lastCount = message.requests;
        const waiters = this.countWaiters;
        this.countWaiters = [];
        for (const resolve of waiters) resolve(message.requests);
      }
    });
    this.child = child;
    await waitFor('modbus farm listening', () => this.ports.length > 0, { timeoutMs: 30_000 });
  }

  /** Read requests served so far, over all servers. */
  requests(): Promise<number> {
    return new Promise((resolve) => {
      this.countWaiters.push(resolve);
      this.child?.process.send?.('count');
    });
  }

  get lastRequests(): number {
    return this.lastCount;
  }

  async stop(): Promise<void> {
    await this.child?.stop();
    this.child = undefined;
  }
}
