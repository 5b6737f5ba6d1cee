import { createServer } from 'node:net';
import { Command } from 'commander';
import { join } from 'node:path';
import { privateDir } from './private-dir.js';
import { NotificationInbox, formatInboxEntry } from './notification-inbox.js';
import { VillageStack, type StackPorts } from './village-stack.js';
import type { InfluxQueryResult } from './managed-influxd.js';
import { ProgressReport, progressQuery } from './progress-line.js';

/**
 * The main job: the whole pipeline with the simulated demo village, on a managed local
 * influxd under ./data (or INFLUX_URL when given). Prints where to look, every
 * notification alerting sends (to a local inbox, so a newcomer sees alerts delivered)
 * and, every 15 s, how much data reached InfluxDB.
 */
const INBOX_PORT = 9108;
const DEFAULT_PORTS: StackPorts = {
  mqtt: 1883,
  brokerHttp: 9101,
  ingestHttp: 9102,
  edgeHttp: 9103,
  simControl: 9104,
  alertingHttp: 9105,
  reportsHttp: 9106,
  edgeLan: 1884,
  busBase: 5020,
  influx: 8086,
};

const program = new Command()
  .name('village')
  .description('启动整套系统与模拟村庄 / Start the whole stack with a simulated village')
  .option('--data <dir>', '数据目录 / data folder', './data')
  .option('--site <file>', '站点文件 / site file (default: the demo village)')
  .option('--log-level <level>', '日志级别 / log level of the services', 'info')
  .option(
    '--processes',
    '每个服务一个进程（县级服务器的方式）/ each service in its own process, as on a county server (default: broker, ingest, alerting and gateway in one process)',
  )
  .parse();

const options = program.opts<{ data: string; site?: string; logLevel: string; processes?: boolean }>();

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function choosePorts(busCount: number): Promise<Partial<StackPorts>> {
  const ports: Partial<StackPorts> = {};
  for (const [name, port] of Object.entries(DEFAULT_PORTS) as Array<[keyof StackPorts, number]>) {
    if (name === 'busBase') {
      let free = true;
      for (let i = 0; i < busCount; i++) free &&= await isFree(port + i);
      if (free) ports.busBase = port;
    } else if (await isFree(port)) {
      ports[name] = port;
    } else {
      console.log(`port ${port} (${name}) is taken; using a free one instead`);
    }
  }
  return ports;
}

async function queryInflux(url: string, database: string, q: string): Promise<InfluxQueryResult> {
  const response = await fetch(`${url}/query?${new URLSearchParams({ db: database, q })}`);
  if (!response.ok) throw new Error(`InfluxDB answered ${response.status}`);
  return (await response.json()) as InfluxQueryResult;
}

/** The local inbox that receives alerting's notifications, on its usual port if free. */
async function startInbox(): Promise<NotificationInbox> {
  privateDir(options.data);
  const inbox = new NotificationInbox({
    port: (await isFree(INBOX_PORT)) ? INBOX_PORT : 0,
    file: join(options.data, 'notifications.log'),
    print: (entry) => console.log(formatInboxEntry(entry)),
  });
  await inbox.start();
  return inbox;
}

async function main(): Promise<void> {
  const influxUrl = process.env.INFLUX_URL;
  const inbox = await startInbox();
  const probe = new VillageStack({
    dataDir: options.data,
    ...(options.site ? { siteFile: options.site } : {}),
  });
  const stack = new VillageStack({
    dataDir: options.data,
    ...(options.site ? { siteFile: options.site } : {}),
    siteReporting: 'site',
    ...(influxUrl ? { influxUrl } : {}),
    ...(process.env.INFLUX_DATABASE ? { influxDatabase: process.env.INFLUX_DATABASE } : {}),
    ports: await choosePorts(probe.site.buses.length),
    logLevel: options.logLevel,
    reports: true,
    singleProcess: !options.processes,
    env: { alerting: { ALERTING_WEBHOOK_URL: inbox.url, ALERTING_WEBHOOK_SECRET: inbox.secret } },
  });
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the village stack…');
    await stack.stop();
    await inbox.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  // The terminal closed: stop in order too, rather than leave each service to notice alone.
  process.on('SIGHUP', () => void shutdown());

  console.log(
    `starting the village stack for "${stack.site.site.name}" (${stack.site.devices.length} devices)…`,
  );
  await stack.start();
  const p = stack.ports;
  console.log(`
乡村创客社区物联网平台 — village telemetry stack is running
  InfluxDB           ${stack.influxUrl}  database "${stack.database}"${stack.influxd ? ` (managed, data in ${options.data}/influxdb)` : ''}
  MQTT broker        ${stack.mqttUrl}  (authentication on; credentials in ${options.data}/broker, secrets in ${options.data}/secrets.json)
  broker   health    http://127.0.0.1:${p.brokerHttp}/readyz   metrics /metrics
  ingest   health    http://127.0.0.1:${p.ingestHttp}/readyz   metrics /metrics
  operators' page    http://127.0.0.1:${p.alertingHttp}/   告警页面：账号 admin  密码 ${stack.secrets.operatorsAdminPassword}
                     (log in as admin / password above; kept in ${options.data}/secrets.json; add people under 人员 People)
  alerting API       http://127.0.0.1:${p.alertingHttp}/api/alerts   (Authorization: Bearer <alertingApiToken from ${options.data}/secrets.json>)
  reports API        http://127.0.0.1:${p.reportsHttp}/api/reports?site=${stack.site.site.id}&month=YYYY-MM&format=xlsx   (Bearer <reportsApiToken from ${options.data}/secrets.json>; or npm run report)
  notifications      printed here as they are sent (🔔), kept in ${options.data}/notifications.log   通知：发出即显示于此
                     (a local inbox at ${inbox.url}; real channels: alerting/README.md)
  enrolment API      http://127.0.0.1:${p.ingestHttp}/api/enrolment/devices   (edge add --enrol-url …, token: enrolmentToken in ${options.data}/secrets.json)
  gateway  status    http://127.0.0.1:${p.edgeHttp}/   devices /api/devices   health /readyz
  simulator control  http://127.0.0.1:${p.simControl}/faults   (npx tsx firmware-sim/cli.ts --url http://127.0.0.1:${p.simControl} fault on fire-alarm <device>)
  Modbus TCP buses   127.0.0.1:${p.busBase}–${p.busBase + stack.site.buses.length - 1}   LAN broker mqtt://127.0.0.1:${p.edgeLan}
  processes          ${options.processes ? 'one per service (--processes)' : `broker, ingest, alerting and gateway in one process, pid ${stack.service('village').pid} (npm start -- --processes: one each)`}
  logs               ${options.data}/logs/*.log
  query              curl -G '${stack.influxUrl}/query' --data-urlencode 'db=${stack.database}' --data-urlencode 'q=SELECT last(voltage_v) FROM electricity GROUP BY device'
Press Ctrl+C to stop.`);

  const progress = new ProgressReport(stack.site.reporting.batchIntervalS);
  const report = async () => {
    try {
      const answer = await queryInflux(stack.influxUrl, stack.database, progressQuery());
      console.log(progress.line(answer));
    } catch (error) {
      console.log(`[${new Date().toISOString()}] cannot query InfluxDB: ${(error as Error).message}`);
    }
  };
  setInterval(() => void report(), 15_000);
  setTimeout(() => void report(), 5_000);
}

main().catch((error: unknown) => {
  console.error(`the village stack failed to start: ${(error as Error).message}`);
  process.exit(1);
});
