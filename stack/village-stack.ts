import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import {
  addCredential,
  BROKER_PROCESS_ENV,
  exportMosquitto,
  hashPassword,
  listCredentials,
  setMosquittoPassword,
} from '../broker/index.js';
import {
  EDGE_PROCESS_ENV,
  edgeConfigFromSite,
  readLanCredentials,
  writeLanCredentials,
  type BusEndpoint,
  type EdgeConfig,
  type EdgeConfigFromSiteOptions,
} from '../edge/index.js';
import { VILLAGE_PROCESS_ENV } from '../deploy/index.js';
import { lanDeviceCredentialsSchema, readLanDeviceCredentials } from '../firmware-sim/index.js';
import { INGEST_PROCESS_ENV } from '../ingest/index.js';
import { writePrivateJsonFile, freePort, freePorts } from '../runtime/index.js';
import { DEMO_SITE_FILE, hashEnrolmentToken, loadSite, type Site } from '../site/index.js';
import { ManagedInfluxd } from './managed-influxd.js';
import { ManagedMosquitto } from './managed-mosquitto.js';
import { privateDir } from './private-dir.js';
import { ServiceProcess, type ServiceProcessOptions } from './service-process.js';

export interface StackPorts {
  mqtt: number;
  brokerHttp: number;
  ingestHttp: number;
  edgeHttp: number;
  edgeLan: number;
  simControl: number;
  alertingHttp: number;
  reportsHttp: number;
  /** First Modbus TCP port; bus i of the site listens on busBase + i. */
  busBase: number;
  influx: number;
}

export interface VillageStackOptions {
  /** Everything the stack writes: influxd data, credentials, configs, logs. */
  dataDir: string;
  siteFile?: string;
  /**
   * `site` (npm start, the uplink bench, the incident scenarios): the site file's `reporting`
   * as it stands (the demo village: report by exception in minute batches, docs/uplink.md).
   * `every-reading` (default): the site without it, every reading in 1 s batches, which
   * the tests of the pipeline's values and timings are written for.
   */
  siteReporting?: 'site' | 'every-reading';
  /** Use this InfluxDB instead of starting a managed influxd. */
  influxUrl?: string;
  influxDatabase?: string;
  /** Ports to use; missing ones are picked free. */
  ports?: Partial<StackPorts>;
  logLevel?: string;
  /** How often the gateway reports its health (default 30 s); tests shorten it. */
  edgeHealthIntervalS?: number;
  /** Extra environment per service (tests tune batch sizes, intervals). */
  env?: Partial<Record<StackServiceName, Record<string, string>>>;
  /** Where the gateway finds the broker, when not directly (tests put an uplink proxy between them). */
  edgeUpstreamUrl?: string;
  /** The gateway's store-and-forward buffer limits (fault tests use small ones). */
  edgeBuffer?: EdgeConfigFromSiteOptions['buffer'];
  /** How the gateway publishes telemetry (default: batches, as in production). */
  edgePublish?: EdgeConfigFromSiteOptions['publish'];
  /** The MQTT broker: this platform's (default), or Debian's mosquitto 2 with the credentials and ACLs exported to it. */
  broker?: 'platform' | 'mosquitto';
  /** Where the gateway reaches some buses instead of the simulator (tests put a serial line there). */
  edgeBusEndpoints?: Readonly<Record<string, BusEndpoint>>;
  /** Also run the reports service (npm start does; tests that do not need it save a process). */
  reports?: boolean;
  /**
   * Broker, ingest, alerting and the gateway in one process (deploy/village), restarted when
   * it exits unasked, as `npm start` runs them; by default each is its own process, as on a
   * county's server, so a test can kill one of them.
   */
  singleProcess?: boolean;
}

export type StackServiceName =
  | 'broker'
  | 'ingest'
  | 'alerting'
  | 'reports'
  | 'simulator'
  | 'edge'
  /** Broker, ingest, alerting and the gateway in one process (`singleProcess`). */
  | 'village';

/** A service the village process can host: its own process's options, and the environment its process starts with. */
interface HostedService {
  name: 'broker' | 'ingest' | 'alerting' | 'edge';
  options: ServiceProcessOptions & { env: Record<string, string> };
  processEnv?: Readonly<Record<string, string>>;
}

/**
 * One process for the hosted services (deploy/village/main.ts): each module reads the
 * variables it reads in its own process, so their environments are merged; a variable two
 * of them would set differently cannot be served by one process and stops the stack here.
 */
function villageProcess(
  hosted: readonly HostedService[],
  logFile: string,
  extra: Record<string, string> = {},
): ServiceProcess {
  const env: Record<string, string> = {};
  const setBy = new Map<string, string>();
  for (const { name, options } of hosted) {
    for (const [key, value] of Object.entries(options.env)) {
      if (key === 'VILLAGE_EDGE_CONFIG' && name !== 'edge') continue;
      const other = setBy.get(key);
      if (other !== undefined && env[key] !== value)
        throw new Error(
          `${key} differs between ${other} and ${name}: one village process cannot give it both values`,
        );
      env[key] = value;
      setBy.set(key, name);
    }
  }
  return new ServiceProcess({
    name: 'village',
    entry: 'deploy/village/main.ts',
    logFile,
    readyUrl: hosted.flatMap(({ options }) => options.readyUrl ?? []),
    env: {
      ...VILLAGE_PROCESS_ENV,
      ...env,
      VILLAGE_MODULES: hosted.map(({ name }) => name).join(','),
      ...extra,
    },
    restartAfterCrashMs: 2000,
  });
}

interface StackSecrets {
  gatewayPassword: string;
  ingestPassword: string;
  alertingPassword: string;
  adminPassword: string;
  /** Bearer token for the alerting API. */
  alertingApiToken: string;
  /** Bearer token for the reports API (opens reports only). */
  reportsApiToken: string;
  /** The gateway's enrolment token: the technician's `add --enrol` registers devices with it. */
  enrolmentToken: string;
  /** Password of `admin`, the first account of the operators' page. */
  operatorsAdminPassword: string;
  /** Bearer token of the simulator's control API (faults): the demo's alone. */
  simControlToken: string;
}

/**
 * The whole pipeline as real processes on loopback: managed influxd → broker → ingest
 * → simulator → edge gateway. The main job runs one under ./data; end-to-end tests run
 * one per suite in a temp folder, and kill or restart single services.
 */
export class VillageStack {
  readonly site: Site;
  readonly dataDir: string;
  readonly siteFile: string;
  readonly database: string;
  influxd: ManagedInfluxd | undefined;
  mosquitto: ManagedMosquitto | undefined;
  ports!: StackPorts;
  secrets!: StackSecrets;
  readonly services = new Map<StackServiceName, ServiceProcess>();
  private influxUrlValue = '';

  constructor(private readonly options: VillageStackOptions) {
    this.dataDir = resolve(options.dataDir);
    this.siteFile = siteFileReporting(
      resolve(options.siteFile ?? DEMO_SITE_FILE),
      options.siteReporting ?? 'every-reading',
      this.dataDir,
    );
    this.site = loadSite(this.siteFile);
    this.database = options.influxDatabase ?? 'village';
  }

  get influxUrl(): string {
    return this.influxUrlValue;
  }

  get mqttUrl(): string {
    return `mqtt://127.0.0.1:${this.ports.mqtt}`;
  }

  get gatewayId(): string {
    const gateway = this.site.gateways[0];
    if (!gateway) throw new Error('the site has no gateway');
    return gateway.id;
  }

  service(name: StackServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`service ${name} is not part of this stack`);
    return service;
  }

  async start(): Promise<void> {
    privateDir(this.dataDir);
    this.ports = await this.pickPorts();
    await this.startInflux();
    this.secrets = await this.ensureCredentials();
    const edgeConfig = this.edgeConfig();
    await this.ensureLanCredentials(edgeConfig.mqttDevices);
    this.createServices(edgeConfig);
    if (this.options.broker === 'mosquitto') await this.startMosquitto();
    if (this.options.singleProcess) {
      // The simulated devices first, so the gateway finds them at its first poll.
      await this.services.get('reports')?.start();
      await this.service('simulator').start();
      await this.service('village').start();
      return;
    }
    if (this.options.broker !== 'mosquitto') await this.service('broker').start();
    await this.service('ingest').start();
    await this.service('alerting').start();
    await this.services.get('reports')?.start();
    await this.service('simulator').start();
    await this.service('edge').start();
  }

  /**
   * The gateway first, the simulated devices after it: in a village the devices do not stop
   * with the platform, so the demo's stop must not show them going away (cameras' last wills,
   * silent meters) as device faults to the operator.
   */
  async stop(): Promise<void> {
    for (const name of ['edge', 'village', 'simulator', 'reports', 'alerting', 'ingest', 'broker'] as const) {
      await this.services.get(name)?.stop();
    }
    await this.mosquitto?.stop();
    await this.influxd?.stop();
  }

  /** mosquitto 2 on the stack's MQTT port, with the stack's accounts exported (`broker/cli.ts export --mosquitto`). */
  private async startMosquitto(): Promise<void> {
    const authDir = join(this.dataDir, 'mosquitto', 'auth');
    const { gatewayPassword, ingestPassword, alertingPassword, adminPassword } = this.secrets;
    const accounts: Array<[string, string]> = [
      [this.gatewayId, gatewayPassword],
      ['ingest', ingestPassword],
      ['alerting', alertingPassword],
      ['admin', adminPassword],
    ];
    for (const [username, password] of accounts) await setMosquittoPassword(authDir, username, password);
    exportMosquitto(await listCredentials(this.credentialsFile), authDir);
    this.mosquitto ??= new ManagedMosquitto({
      dataDir: join(this.dataDir, 'mosquitto'),
      authDir,
      port: this.ports.mqtt,
      logFile: join(this.dataDir, 'logs', 'mosquitto.log'),
    });
    await this.mosquitto.start();
  }

  private async pickPorts(): Promise<StackPorts> {
    const wanted = this.options.ports ?? {};
    const pick = async (port: number | undefined) => port ?? (await freePort());
    const busBase = wanted.busBase ?? (await freePorts(this.site.buses.length));
    return {
      mqtt: await pick(wanted.mqtt),
      brokerHttp: await pick(wanted.brokerHttp),
      ingestHttp: await pick(wanted.ingestHttp),
      edgeHttp: await pick(wanted.edgeHttp),
      edgeLan: await pick(wanted.edgeLan),
      simControl: await pick(wanted.simControl),
      alertingHttp: await pick(wanted.alertingHttp),
      reportsHttp: await pick(wanted.reportsHttp),
      busBase,
      influx: await pick(wanted.influx),
    };
  }

  private async startInflux(): Promise<void> {
    if (this.options.influxUrl) {
      this.influxUrlValue = this.options.influxUrl;
      return;
    }
    this.influxd = new ManagedInfluxd({
      dataDir: join(this.dataDir, 'influxdb'),
      port: this.ports.influx,
      logFile: join(this.dataDir, 'logs', 'influxd.log'),
    });
    mkdirSync(join(this.dataDir, 'logs'), { recursive: true });
    await this.influxd.start();
    this.influxUrlValue = this.influxd.url;
  }

  /** Credentials are generated on first start and kept under the data folder (mode 0600), never in the repo. */
  private async ensureCredentials(): Promise<StackSecrets> {
    const secretsFile = join(this.dataDir, 'secrets.json');
    const secret = () => randomBytes(18).toString('base64url');
    const enrolmentSecret = () => randomBytes(32).toString('base64url');
    if (existsSync(secretsFile)) {
      const existing = JSON.parse(readFileSync(secretsFile, 'utf8')) as Partial<StackSecrets>;
      if (
        existing.operatorsAdminPassword &&
        existing.enrolmentToken &&
        existing.reportsApiToken &&
        existing.simControlToken
      )
        return existing as StackSecrets;
      // A data folder from before the operators' page or the enrolment API: add what is missing, keep the rest.
      const upgraded = {
        ...existing,
        operatorsAdminPassword: existing.operatorsAdminPassword ?? secret(),
        enrolmentToken: existing.enrolmentToken ?? enrolmentSecret(),
        reportsApiToken: existing.reportsApiToken ?? secret(),
        simControlToken: existing.simControlToken ?? secret(),
      } as StackSecrets;
      writeFileSync(secretsFile, JSON.stringify(upgraded, null, 2), { mode: 0o600 });
      return upgraded;
    }
    const credentialsFile = this.credentialsFile;
    const site = this.site.site.id;
    const secrets: StackSecrets = {
      gatewayPassword: secret(),
      ingestPassword: secret(),
      alertingPassword: secret(),
      adminPassword: secret(),
      alertingApiToken: secret(),
      reportsApiToken: secret(),
      operatorsAdminPassword: secret(),
      enrolmentToken: enrolmentSecret(),
      simControlToken: secret(),
    };
    await addCredential(credentialsFile, {
      username: this.gatewayId,
      role: 'gateway',
      sites: [site],
      gateway: this.gatewayId,
      password: secrets.gatewayPassword,
    });
    await addCredential(credentialsFile, {
      username: 'ingest',
      role: 'ingest',
      sites: [site],
      password: secrets.ingestPassword,
    });
    await addCredential(credentialsFile, {
      username: 'alerting',
      role: 'alerting',
      sites: [site],
      password: secrets.alertingPassword,
    });
    await addCredential(credentialsFile, {
      username: 'admin',
      role: 'admin',
      sites: ['*'],
      password: secrets.adminPassword,
    });
    writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    return secrets;
  }

  get credentialsFile(): string {
    return join(this.dataDir, 'broker', 'credentials.json');
  }

  /** The gateway's config: the site's devices on this stack's ports. */
  private edgeConfig(): EdgeConfig {
    mkdirSync(join(this.dataDir, 'edge'), { recursive: true });
    const busEndpoints = Object.fromEntries(
      this.site.buses.map((bus, i): [string, BusEndpoint] => [
        bus.id,
        this.options.edgeBusEndpoints?.[bus.id] ?? { host: '127.0.0.1', port: this.ports.busBase + i },
      ]),
    );
    return edgeConfigFromSite(
      this.site,
      this.gatewayId,
      busEndpoints,
      {
        url: this.options.edgeUpstreamUrl ?? this.mqttUrl,
        username: this.gatewayId,
        password: this.secrets.gatewayPassword,
      },
      {
        lan: {
          enabled: true,
          host: '127.0.0.1',
          port: this.ports.edgeLan,
          credentialsFile: this.lanCredentialsFile,
        },
        http: { host: '127.0.0.1', port: this.ports.edgeHttp },
        dataDir: join(this.dataDir, 'edge'),
        ...(this.options.edgeHealthIntervalS ? { healthIntervalS: this.options.edgeHealthIntervalS } : {}),
        ...(this.options.edgeBuffer ? { buffer: this.options.edgeBuffer } : {}),
        ...(this.options.edgePublish ? { publish: this.options.edgePublish } : {}),
        platform: {
          url: `http://127.0.0.1:${this.ports.ingestHttp}`,
          token: this.secrets.enrolmentToken,
          pollS: 5,
        },
      },
    );
  }

  /** The gateway's hashed LAN credentials (one per device). */
  get lanCredentialsFile(): string {
    return join(this.dataDir, 'edge', 'lan-credentials.json');
  }

  /** What each simulated LAN device logs in with, as a real device holds its own password. */
  get lanDeviceCredentialsFile(): string {
    return join(this.dataDir, 'simulator', 'lan-devices.json');
  }

  /**
   * One LAN credential per MQTT device, generated like the other secrets on the first
   * start (and for a device added to the site later): the gateway keeps the hash, the
   * simulated device the password.
   */
  private async ensureLanCredentials(devices: readonly { id: string }[]): Promise<void> {
    const known = await readLanDeviceCredentials(this.lanDeviceCredentialsFile);
    const hashed = await readLanCredentials(this.lanCredentialsFile);
    const hashedUsers = new Set(hashed.map((entry) => entry.username));
    const missing = devices.filter((d) => {
      const own = known[d.id];
      return own === undefined || !hashedUsers.has(own.username);
    });
    if (missing.length === 0) return;
    const added = await Promise.all(
      missing.map(async (device) => {
        const password = randomBytes(18).toString('base64url');
        known[device.id] = { username: device.id, password };
        return { username: device.id, devices: [device.id], hash: await hashPassword(password) };
      }),
    );
    const addedUsers = new Set(added.map((entry) => entry.username));
    await writeLanCredentials(this.lanCredentialsFile, [
      ...hashed.filter((entry) => !addedUsers.has(entry.username)),
      ...added,
    ]);
    await writePrivateJsonFile(
      this.lanDeviceCredentialsFile,
      lanDeviceCredentialsSchema.parse({ version: 1, devices: known }),
    );
  }

  /** A request to the simulator's control API (switch faults, read served values), with its token. */
  simControl(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`http://127.0.0.1:${this.ports.simControl}${path}`, {
      ...init,
      headers: { ...init.headers, authorization: `Bearer ${this.secrets.simControlToken}` },
    });
  }

  /** A device's LAN username and password, for tests that speak as it. */
  async lanDeviceCredential(deviceId: string): Promise<{ username: string; password: string }> {
    const own = (await readLanDeviceCredentials(this.lanDeviceCredentialsFile))[deviceId];
    if (!own) throw new Error(`no LAN credential for device ${deviceId}`);
    return own;
  }

  private createServices(edgeConfig: EdgeConfig): void {
    const logs = join(this.dataDir, 'logs');
    const level = this.options.logLevel ?? 'info';
    const extra = this.options.env ?? {};
    const url = (port: number) => `http://127.0.0.1:${port}/readyz`;
    const healthUrl = (port: number) => `http://127.0.0.1:${port}/healthz`;

    // Broker, ingest, alerting and the gateway: each its own process, or together in the village's.
    const hosted: HostedService[] = [];
    if (this.options.broker !== 'mosquitto')
      hosted.push({
        name: 'broker',
        processEnv: BROKER_PROCESS_ENV,
        options: {
          name: 'broker',
          entry: 'broker/main.ts',
          logFile: join(logs, 'broker.log'),
          readyUrl: url(this.ports.brokerHttp),
          env: {
            LOG_LEVEL: level,
            BROKER_MQTT_HOST: '127.0.0.1',
            BROKER_MQTT_PORT: String(this.ports.mqtt),
            BROKER_HTTP_PORT: String(this.ports.brokerHttp),
            BROKER_CREDENTIALS_FILE: this.credentialsFile,
            BROKER_PERSISTENCE_DIR: join(this.dataDir, 'broker', 'sessions'),
            ...extra.broker,
          },
        },
      });
    hosted.push({
      name: 'ingest',
      processEnv: INGEST_PROCESS_ENV,
      options: {
        name: 'ingest',
        entry: 'ingest/main.ts',
        logFile: join(logs, 'ingest.log'),
        readyUrl: url(this.ports.ingestHttp),
        env: {
          LOG_LEVEL: level,
          INGEST_MQTT_URL: this.mqttUrl,
          INGEST_MQTT_USERNAME: 'ingest',
          INGEST_MQTT_PASSWORD: this.secrets.ingestPassword,
          INGEST_SITE_FILES: this.siteFile,
          INGEST_ENROLMENT_TOKENS: `${this.site.site.id}/${this.gatewayId}/${hashEnrolmentToken(this.secrets.enrolmentToken)}`,
          INGEST_HTTP_PORT: String(this.ports.ingestHttp),
          INGEST_DEAD_LETTER_FILE: join(this.dataDir, 'ingest', 'dead-letter.jsonl'),
          INFLUX_URL: this.influxUrl,
          INFLUX_DATABASE: this.database,
          ...extra.ingest,
        },
      },
    });
    hosted.push({
      name: 'alerting',
      options: {
        name: 'alerting',
        entry: 'alerting/main.ts',
        logFile: join(logs, 'alerting.log'),
        readyUrl: url(this.ports.alertingHttp),
        env: {
          LOG_LEVEL: level,
          ALERTING_MQTT_URL: this.mqttUrl,
          ALERTING_MQTT_USERNAME: 'alerting',
          ALERTING_MQTT_PASSWORD: this.secrets.alertingPassword,
          ALERTING_HTTP_PORT: String(this.ports.alertingHttp),
          ALERTING_DATA_DIR: join(this.dataDir, 'alerting'),
          ALERTING_SITE_FILES: this.siteFile,
          ALERTING_API_TOKEN: this.secrets.alertingApiToken,
          ALERTING_ADMIN_PASSWORD: this.secrets.operatorsAdminPassword,
          INFLUX_URL: this.influxUrl,
          INFLUX_DATABASE: this.database,
          ...extra.alerting,
        },
      },
    });
    if (this.options.reports) {
      this.services.set(
        'reports',
        new ServiceProcess({
          name: 'reports',
          entry: 'reports/main.ts',
          logFile: join(logs, 'reports.log'),
          readyUrl: url(this.ports.reportsHttp),
          env: {
            LOG_LEVEL: level,
            REPORTS_SITE_FILES: this.siteFile,
            REPORTS_HTTP_PORT: String(this.ports.reportsHttp),
            REPORTS_API_TOKENS: this.secrets.reportsApiToken,
            REPORTS_MAIL_STATE_FILE: join(this.dataDir, 'reports', 'mail-state.json'),
            INFLUX_URL: this.influxUrl,
            INFLUX_DATABASE: this.database,
            ...extra.reports,
          },
        }),
      );
    }
    this.services.set(
      'simulator',
      new ServiceProcess({
        name: 'simulator',
        entry: 'firmware-sim/main.ts',
        logFile: join(logs, 'simulator.log'),
        readyUrl: healthUrl(this.ports.simControl),
        env: {
          LOG_LEVEL: level,
          SIM_SITE_FILE: this.siteFile,
          SIM_HOST: '127.0.0.1',
          SIM_BUS_BASE_PORT: String(this.ports.busBase),
          SIM_LAN_BROKER_URL: `mqtt://127.0.0.1:${this.ports.edgeLan}`,
          SIM_CONTROL_PORT: String(this.ports.simControl),
          SIM_LAN_CREDENTIALS_FILE: this.lanDeviceCredentialsFile,
          SIM_CONTROL_TOKEN: this.secrets.simControlToken,
          ...extra.simulator,
        },
      }),
    );
    const edgeConfigFile = join(this.dataDir, 'edge', 'gateway.yaml');
    writeFileSync(edgeConfigFile, toYaml(edgeConfig), { mode: 0o600 });
    hosted.push({
      name: 'edge',
      processEnv: EDGE_PROCESS_ENV,
      options: {
        name: 'edge',
        entry: 'edge/main.ts',
        args: ['--config', edgeConfigFile],
        logFile: join(logs, 'edge.log'),
        readyUrl: url(this.ports.edgeHttp),
        env: { LOG_LEVEL: level, VILLAGE_EDGE_CONFIG: edgeConfigFile, ...extra.edge },
      },
    });
    if (this.options.singleProcess) {
      this.services.set('village', villageProcess(hosted, join(logs, 'village.log'), extra.village));
    } else {
      for (const { name, processEnv, options } of hosted)
        this.services.set(name, new ServiceProcess({ ...options, env: { ...processEnv, ...options.env } }));
    }
  }
}

/** The site file the services read: `file` itself, or a copy without its `reporting` section. */
function siteFileReporting(file: string, reporting: 'site' | 'every-reading', dataDir: string): string {
  const raw = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;
  if (reporting === 'site' || raw.reporting === undefined) return file;
  mkdirSync(dataDir, { recursive: true });
  const copy = join(dataDir, 'site-every-reading.yaml');
  const { reporting: _dropped, ...rest } = raw;
  writeFileSync(copy, toYaml(rest));
  return copy;
}
