import mqtt from 'mqtt';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { getProfile, type ModbusProfile } from '../../../devices/index.js';
import { DEMO_SITE_FILE } from '../../../site/index.js';
import { VillageStack, type VillageStackOptions } from '../../../stack/index.js';
import { LoadPublisher, type LoadDevice } from './load-publisher.js';
import { SeqLedger } from './seq-ledger.js';
import { waitFor } from '../../../runtime/index.js';

export interface FaultVillageOptions {
  /** Folder prefix in the temp dir. */
  name: string;
  /** Poll interval of every Modbus meter (the demo site polls every 5–10 s). */
  pollIntervalS?: number;
  edgeBuffer?: VillageStackOptions['edgeBuffer'];
  edgePublish?: VillageStackOptions['edgePublish'];
  env?: VillageStackOptions['env'];
  ports?: VillageStackOptions['ports'];
  broker?: VillageStackOptions['broker'];
  /** Prepares the data folder before the stack starts (e.g. mounts a small file system). */
  beforeStart?: (dataDir: string) => void;
}

export interface EdgeStatus {
  upstream: { connected: boolean };
  buffer: { depth: number; bytes: number; dropped: number; diskLow: boolean; replaying: boolean };
}

/** The real pipeline for one fault suite: a stack in a temp folder, the demo site polled faster, a subscriber ledger. */
export class FaultVillage {
  stack!: VillageStack;
  ledger!: SeqLedger;
  readonly dir: string;
  private loads: LoadPublisher[] = [];

  constructor(private readonly options: FaultVillageOptions) {
    this.dir = mkdtempSync(join(tmpdir(), `village-${options.name}-`));
  }

  async start(): Promise<void> {
    const siteFile = join(this.dir, 'site.yaml');
    writeFileSync(siteFile, toYaml(fasterSite(this.options.pollIntervalS ?? 1)));
    this.options.beforeStart?.(this.dir);
    this.stack = new VillageStack({
      dataDir: join(this.dir, 'stack'),
      siteFile,
      logLevel: 'info',
      edgeHealthIntervalS: 2,
      env: { ...this.options.env, ingest: { INGEST_FLUSH_INTERVAL_MS: '200', ...this.options.env?.ingest } },
      ...(this.options.edgeBuffer ? { edgeBuffer: this.options.edgeBuffer } : {}),
      ...(this.options.edgePublish ? { edgePublish: this.options.edgePublish } : {}),
      ...(this.options.ports ? { ports: this.options.ports } : {}),
      ...(this.options.broker ? { broker: this.options.broker } : {}),
    });
    await this.stack.start();
    this.ledger = new SeqLedger({
      url: this.stack.mqttUrl,
      password: this.stack.secrets.adminPassword,
      site: this.stack.site.site.id,
      clientId: `faults-ledger-${process.pid}`,
    });
    await this.ledger.start();
  }

  /** Stops load publishers, the ledger and the stack; removes the folder unless `keep`. */
  async stop({ keep = false }: { keep?: boolean } = {}): Promise<void> {
    for (const load of this.loads) await load.stop(5_000);
    await this.ledger?.stop();
    await this.stack?.stop();
    if (!keep) rmSync(this.dir, { recursive: true, force: true });
  }

  sim(path: string, init?: RequestInit): Promise<Response> {
    return this.stack.simControl(path, init);
  }

  async edgeStatus(): Promise<EdgeStatus> {
    const response = await fetch(`http://127.0.0.1:${this.stack.ports.edgeHttp}/api/status`);
    return (await response.json()) as EdgeStatus;
  }

  /** Waits until the gateway is connected upstream again and its buffer is empty. */
  async edgeDrained(timeoutMs = 60_000): Promise<EdgeStatus> {
    let last: EdgeStatus | undefined;
    try {
      return await waitFor(
        'the gateway connected with an empty buffer',
        async () => {
          const status = (last = await this.edgeStatus());
          return status.upstream.connected && status.buffer.depth === 0 && !status.buffer.replaying
            ? status
            : undefined;
        },
        { timeoutMs, intervalMs: 250 },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; last status ${JSON.stringify(last)}`, { cause: error });
    }
  }

  /**
   * Ends a stopped consumer's persistent session on the broker (connect with its client id,
   * clean). Otherwise aedes queues every message for it in memory, without bound.
   */
  async forgetSession(clientId: string, username: string, password: string): Promise<void> {
    const client = await mqtt.connectAsync(this.stack.mqttUrl, {
      clientId,
      username,
      password,
      clean: true,
      reconnectPeriod: 0,
    });
    await client.endAsync();
  }

  /** Modbus devices of the site with the values the simulator serves them (valid fields of their profile). */
  async loadDevices(): Promise<LoadDevice[]> {
    const devices: LoadDevice[] = [];
    for (const device of this.stack.site.devices) {
      const profile = getProfile(device.profile);
      if (profile.protocol !== 'modbus') continue;
      // The simulator knows what it served only after the gateway's first poll.
      const served = await waitFor(
        `values served by ${device.id}`,
        async () => {
          const body = (await (await this.sim(`/devices/${device.id}/served`)).json()) as {
            values?: Record<string, number>;
          };
          return body.values;
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      const values: Record<string, number> = {};
      for (const register of (profile as ModbusProfile).registers) {
        const value = served[register.field];
        if (typeof value === 'number' && Number.isFinite(value)) values[register.field] = value;
      }
      if (Object.keys(values).length > 0) devices.push({ id: device.id, values });
    }
    return devices;
  }

  /** Starts an extra publisher as the gateway user; timestamps hours in the past keep it clear of real readings. */
  async startLoad(messagesPerS: number, hoursAgo = 3, devices?: LoadDevice[]): Promise<LoadPublisher> {
    const load = new LoadPublisher({
      url: this.stack.mqttUrl,
      site: this.stack.site.site.id,
      gateway: this.stack.gatewayId,
      password: this.stack.secrets.gatewayPassword,
      clientId: `faults-load-${process.pid}-${this.loads.length}`,
      devices: devices ?? (await this.loadDevices()),
      messagesPerS,
      tsBase: Date.now() - hoursAgo * 3_600_000,
    });
    await load.start();
    this.loads.push(load);
    return load;
  }
}

/** The demo site with every polled device on `pollIntervalS`. */
function fasterSite(pollIntervalS: number): unknown {
  const site = parseYaml(readFileSync(DEMO_SITE_FILE, 'utf8')) as {
    devices?: Array<Record<string, unknown>>;
  };
  for (const device of site.devices ?? []) {
    if (device.pollIntervalS !== undefined) device.pollIntervalS = pollIntervalS;
  }
  return site;
}
