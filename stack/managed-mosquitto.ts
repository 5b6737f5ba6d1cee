import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { freePort, waitFor } from '../runtime/index.js';
import { binaryOnPath, exitDuringStart, spawnWatched, stopWatched } from './watched-child.js';

export interface ManagedMosquittoOptions {
  /** Folder for mosquitto.conf and its persistence file; kept across restarts. */
  dataDir: string;
  /** `acl` and `passwd` as `broker/cli.ts export --mosquitto` writes them. */
  authDir: string;
  port?: number;
  /** Debian's `mosquitto` package (2.x) installs /usr/sbin/mosquitto. */
  binary?: string;
  logFile?: string;
}

/**
 * Debian's mosquitto 2 on loopback, configured as a deployment that uses it instead of our
 * broker would: credentials and ACLs from the platform's store, no anonymous clients,
 * persistent sessions kept on disk, and queues deep enough for a consumer that is away.
 */
export class ManagedMosquitto {
  private child: ChildProcess | undefined;
  private mqttPort = 0;

  constructor(private readonly options: ManagedMosquittoOptions) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.mqttPort}`;
  }

  get port(): number {
    return this.mqttPort;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  static binaryAvailable(binary = 'mosquitto'): boolean {
    return binaryOnPath(binary) || binaryOnPath(`/usr/sbin/${binary}`);
  }

  async start(): Promise<void> {
    if (this.running) return;
    const dataDir = resolve(this.options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    if (this.mqttPort === 0) this.mqttPort = this.options.port ?? (await freePort());
    const configFile = join(dataDir, 'mosquitto.conf');
    writeFileSync(configFile, renderConfig(dataDir, resolve(this.options.authDir), this.mqttPort));
    const binary = this.options.binary ?? (binaryOnPath('mosquitto') ? 'mosquitto' : '/usr/sbin/mosquitto');
    const child = spawnWatched(binary, ['-c', configFile], this.options.logFile);
    this.child = child;
    await Promise.race([
      waitFor(`mosquitto on ${this.url}`, () => accepts(this.mqttPort), {
        timeoutMs: 20_000,
        intervalMs: 100,
      }),
      exitDuringStart(child, binary),
    ]);
  }

  /** Re-reads the password and ACL files, as `systemctl reload mosquitto` does (SIGHUP to mosquitto, not its watchdog). */
  reload(): void {
    if (this.child?.pid) execFileSync('pkill', ['-HUP', '-P', String(this.child.pid), '-x', 'mosquitto']);
  }

  async stop({ kill = false }: { kill?: boolean } = {}): Promise<void> {
    await stopWatched(this.child, kill ? 'SIGKILL' : 'SIGTERM');
    this.child = undefined;
  }
}

/** The settings docs/scaling.md gives for running the platform on mosquitto 2. */
function renderConfig(dataDir: string, authDir: string, port: number): string {
  // Started as root, mosquitto switches to the user `mosquitto`, which cannot read these folders.
  const user = process.getuid?.() === 0 ? 'user root\n' : '';
  return `${user}per_listener_settings false
allow_anonymous false
password_file ${join(authDir, 'passwd')}
acl_file ${join(authDir, 'acl')}
listener ${port} 127.0.0.1
persistence true
persistence_location ${dataDir}/
autosave_interval 1
max_queued_messages 1000000
max_inflight_messages 100
log_dest stderr
log_type error
log_type warning
`;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolveAccept) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolveAccept(true);
    });
    socket.once('error', () => resolveAccept(false));
  });
}
