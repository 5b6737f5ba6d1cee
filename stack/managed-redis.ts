import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { resolve } from 'node:path';
import { freePort, waitFor } from '../runtime/index.js';
import { binaryOnPath, exitDuringStart, spawnWatched, stopWatched } from './watched-child.js';

export interface ManagedRedisOptions {
  /** Folder for the append-only file; kept across restarts. */
  dataDir: string;
  port?: number;
  /** Debian's `redis-server` package installs /usr/bin/redis-server. */
  binary?: string;
  logFile?: string;
}

/**
 * A local `redis-server` on loopback for the broker cluster and its tests, with the
 * append-only file on (fsync every second), as a deployment would run it.
 */
export class ManagedRedis {
  private child: ChildProcess | undefined;
  private redisPort = 0;

  constructor(private readonly options: ManagedRedisOptions) {}

  get url(): string {
    return `redis://127.0.0.1:${this.redisPort}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  static binaryAvailable(binary = 'redis-server'): boolean {
    return binaryOnPath(binary);
  }

  async start(): Promise<void> {
    if (this.running) return;
    const dataDir = resolve(this.options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    if (this.redisPort === 0) this.redisPort = this.options.port ?? (await freePort());
    const binary = this.options.binary ?? 'redis-server';
    const child = spawnWatched(
      binary,
      [
        '--port',
        String(this.redisPort),
        '--bind',
        '127.0.0.1',
        '--dir',
        dataDir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
        '--daemonize',
        'no',
      ],
      this.options.logFile,
    );
    this.child = child;
    await Promise.race([
      waitFor(`redis on ${this.url}`, () => ping(this.redisPort), { timeoutMs: 20_000, intervalMs: 100 }),
      exitDuringStart(child, binary),
    ]);
  }

  async stop({ kill = false }: { kill?: boolean } = {}): Promise<void> {
    await stopWatched(this.child, kill ? 'SIGKILL' : 'SIGTERM');
    this.child = undefined;
  }
}

/** One inline PING over RESP: true on PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolvePing) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePing(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
