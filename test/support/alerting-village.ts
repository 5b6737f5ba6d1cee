import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { stringify as toYaml } from 'yaml';
import { waitFor } from '../../runtime/index.js';
import { VillageStack, type VillageStackOptions } from '../../stack/index.js';
import { WebhookReceiver } from './webhook-receiver.js';

export const WEBHOOK_SECRET = 'e2e-webhook-secret-0123456789';

export interface AlertingVillageOptions {
  /** Prefix of the temp folder. */
  name: string;
  /** Extra alerting config written to the file passed as ALERTING_CONFIG (notifications, engine). */
  alertingConfig?: Record<string, unknown>;
  /** Rule overrides by id, written to an overrides file named in the alerting config. */
  ruleOverrides?: Array<Record<string, unknown>>;
  env?: VillageStackOptions['env'];
  /** A site file other than the demo village's. */
  siteFile?: string;
  /** The site's own `reporting` (`site`), or every reading in 1 s batches (default): VillageStackOptions. */
  siteReporting?: VillageStackOptions['siteReporting'];
  /** Fixed ports (a benchmark puts its own link proxies in front of the broker). */
  ports?: VillageStackOptions['ports'];
  /** Where the gateway reaches the broker, when not directly. */
  edgeUpstreamUrl?: string;
  /** Broker, ingest, alerting and the gateway in one process, as `npm start` runs them. */
  singleProcess?: boolean;
}

interface ApiAlert {
  id: string;
  ruleId: string;
  state: string;
  device?: string;
  subject: string;
  occurrences: number;
  ack?: { by: string; at: number };
  /** The incident that explains this alert, while it keeps it from notifying. */
  inhibitedBy?: string;
}

/**
 * The whole village pipeline (VillageStack) with alerting wired to a real signed
 * webhook receiver, its config passed as a file, and the simulator's fault switch,
 * the alerting API and the edge's LAN broker at hand.
 */
export class AlertingVillage {
  readonly webhook = new WebhookReceiver(WEBHOOK_SECRET);
  private dirValue: string | undefined;
  private stackValue: VillageStack | undefined;
  private readonly faultIds = new Set<string>();

  constructor(private readonly options: AlertingVillageOptions) {}

  get dir(): string {
    if (!this.dirValue) throw new Error('the village is not started');
    return this.dirValue;
  }

  get stack(): VillageStack {
    if (!this.stackValue) throw new Error('the village is not started');
    return this.stackValue;
  }

  get site(): string {
    return this.stack.site.site.id;
  }

  private get configFile(): string {
    return join(this.dir, 'alerting-config', 'alerting.yaml');
  }

  private get overridesFile(): string {
    return join(this.dir, 'alerting-config', 'rule-overrides.yaml');
  }

  async start(): Promise<void> {
    const { name, env } = this.options;
    this.dirValue = mkdtempSync(join(tmpdir(), `${name}-`));
    await this.webhook.start();
    this.writeConfig(this.options.ruleOverrides ?? []);
    this.stackValue = new VillageStack({
      dataDir: join(this.dir, 'stack'),
      ...(this.options.siteFile ? { siteFile: this.options.siteFile } : {}),
      ...(this.options.siteReporting ? { siteReporting: this.options.siteReporting } : {}),
      logLevel: 'warn',
      ...(this.options.ports ? { ports: this.options.ports } : {}),
      ...(this.options.edgeUpstreamUrl ? { edgeUpstreamUrl: this.options.edgeUpstreamUrl } : {}),
      ...(this.options.singleProcess ? { singleProcess: true } : {}),
      env: {
        ...env,
        alerting: {
          ALERTING_CONFIG: this.configFile,
          ALERTING_WEBHOOK_URL: this.webhook.url,
          ALERTING_WEBHOOK_SECRET: WEBHOOK_SECRET,
          ...env?.alerting,
        },
      },
    });
    await this.stackValue.start();
  }

  async stop(): Promise<void> {
    await this.stackValue?.stop();
    await this.webhook.stop();
    if (this.dirValue) rmSync(this.dirValue, { recursive: true, force: true });
  }

  /** Writes the alerting config and rule overrides; alerting reads them when it (re)starts. */
  writeConfig(ruleOverrides: Array<Record<string, unknown>>): void {
    mkdirSync(join(this.dir, 'alerting-config'), { recursive: true });
    writeFileSync(this.overridesFile, toYaml({ version: 1, rules: ruleOverrides }));
    writeFileSync(
      this.configFile,
      toYaml({ ...this.options.alertingConfig, rules: { overrides: [this.overridesFile] } }),
    );
  }

  async injectFault(kind: string, target: string): Promise<string> {
    const response = await this.sim('/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind, target }),
    });
    const body = (await response.json()) as { id?: string; error?: string };
    if (response.status >= 300 || !body.id) throw new Error(`fault ${kind} on ${target}: ${body.error}`);
    this.faultIds.add(body.id);
    return body.id;
  }

  async clearFault(id: string): Promise<void> {
    const response = await this.sim(`/faults/${id}`, { method: 'DELETE' });
    if (response.status !== 200) throw new Error(`clearing fault ${id}: HTTP ${response.status}`);
    this.faultIds.delete(id);
  }

  async clearAllFaults(): Promise<void> {
    for (const id of [...this.faultIds]) await this.clearFault(id);
  }

  async alerts(query = ''): Promise<ApiAlert[]> {
    const response = await this.api(`/api/alerts${query}`);
    if (response.status !== 200) throw new Error(`GET /api/alerts: HTTP ${response.status}`);
    return ((await response.json()) as { alerts: ApiAlert[] }).alerts;
  }

  /**
   * Resolves once alerting has no notification waiting or being sent (its outbox metric):
   * every notification decided so far has reached its receiver, which records a request
   * before it answers. Wait on this before asserting that nothing more was notified.
   */
  async notificationsSettled(): Promise<void> {
    await waitFor(
      "alerting's outbox empty",
      async () => {
        const text = await (await this.api('/metrics')).text();
        let queued = 0;
        for (const [, count] of text.matchAll(
          /^alerting_notification_outbox\{status="(?:pending|sending)"\} (\d+)$/gm,
        ))
          queued += Number(count);
        return queued === 0;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }

  /** Acknowledges as the stack's API token (recorded as `token:ALERTING_API_TOKEN`). */
  async acknowledge(id: string, comment = '已到现场'): Promise<ApiAlert> {
    const response = await this.api(`/api/alerts/${id}/ack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ comment }),
    });
    if (response.status !== 200) throw new Error(`ack ${id}: HTTP ${response.status}`);
    return (await response.json()) as ApiAlert;
  }

  /** A client on the gateway's LAN broker speaking as `deviceId`, with that device's own LAN credential. */
  async lanClient(deviceId: string, clientId: string): Promise<mqtt.MqttClient> {
    return mqtt.connectAsync(`mqtt://127.0.0.1:${this.stack.ports.edgeLan}`, {
      ...(await this.stack.lanDeviceCredential(deviceId)),
      clientId,
      reconnectPeriod: 500,
    });
  }

  private sim(path: string, init?: RequestInit): Promise<Response> {
    return this.stack.simControl(path, init);
  }

  private api(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`http://127.0.0.1:${this.stack.ports.alertingHttp}${path}`, {
      ...init,
      headers: { ...init.headers, authorization: `Bearer ${this.stack.secrets.alertingApiToken}` },
    });
  }
}

/** "HH:MM" of a timestamp at the village's UTC+8, `addMinutes` later. */
export function villageClock(ts: number, addMinutes = 0): string {
  const local = new Date(ts + (480 + addMinutes) * 60_000);
  return local.toISOString().slice(11, 16);
}

/** A UTC offset, in whole hours, that puts the simulated village at about 03:00 now (its night). */
export function nightOffsetMinutes(now: number): number {
  const utcHour = new Date(now).getUTCHours();
  const offset = (((3 - utcHour) % 24) + 24) % 24;
  return (offset > 14 ? offset - 24 : offset) * 60;
}
