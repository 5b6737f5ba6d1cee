import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { projectFile } from '../runtime/index.js';
import { DEMO_SITE_FILE, loadSite } from '../site/index.js';
import { composeGatewayConfig, composeGatewayFile } from './compose-edge-config.js';
import { fillSecrets } from './generate-env.js';
import { DEFAULT_SERVER_DAYS, issuePrivateCa } from './tls/private-ca.js';
import { configuredAreas, loadBackupConfig } from './backup/backup-config.js';
import { pruneBackups, takeBackup } from './backup/platform-backup.js';
import { restoreBackup } from './backup/platform-restore.js';

/** `node --import tsx deploy/cli.ts env|certs|edge-config|backup|restore`: the deployment's tools. */
const ENV_EXAMPLE = projectFile('deploy/env.example');

const EDGE_CONFIG_HEADER =
  '# Gateway config of the compose stack, written by `node --import tsx deploy/cli.ts edge-config`.\n' +
  '# EDGE_UPSTREAM_PASSWORD (from .env) supplies the password; EDGE_* variables override the rest.\n';

const program = new Command()
  .name('deploy')
  .description('Docker 部署辅助工具 / Docker deployment helpers')
  .showHelpAfterError();

program
  .command('env')
  .description('由 deploy/env.example 生成带随机密码的 .env / write a .env with random secrets')
  .option('-o, --out <file>', '输出文件（省略则打印）/ output file (printed when omitted)')
  .action((options: { out?: string }) => {
    const text = fillSecrets(readFileSync(ENV_EXAMPLE, 'utf8'));
    if (!options.out) {
      process.stdout.write(text);
      return;
    }
    if (existsSync(options.out)) {
      console.error(`${options.out} exists; not overwriting it (它已存在，不覆盖)`);
      process.exitCode = 1;
      return;
    }
    writeFileSync(options.out, text, { mode: 0o600 });
    console.log(`wrote ${options.out}`);
  });

program
  .command('certs')
  .description(
    '为代理和反向代理签发 TLS 证书（私有 CA，已有则沿用）/ issue TLS certificates from a private CA (kept when it exists)',
  )
  .requiredOption(
    '--host <name...>',
    '网关和手机访问本服务器所用的地址或域名 / every address or name gateways and phones use for this server',
  )
  .option('-o, --out <dir>', '输出目录 / output folder (TLS_DIR in .env)', 'certs')
  .option(
    '--days <n>',
    '服务器证书有效天数 / server certificate lifetime in days',
    String(DEFAULT_SERVER_DAYS),
  )
  .option(
    '--key-owner <uid:gid>',
    '服务器私钥的属主（镜像中的 node 用户为 1000:1000）/ owner of the server key',
    '',
  )
  .action((options: { host: string[]; out: string; days: string; keyOwner: string }) => {
    const owner = /^(\d+):(\d+)$/.exec(options.keyOwner);
    if (options.keyOwner && !owner) throw new Error('--key-owner must be uid:gid, e.g. 1000:1000');
    const outcome = issuePrivateCa({
      dir: options.out,
      hosts: options.host,
      serverDays: Number(options.days),
      ...(owner ? { keyOwner: { uid: Number(owner[1]), gid: Number(owner[2]) } } : {}),
    });
    console.log(
      outcome.caCreated
        ? `new private CA: ${outcome.files.caCert} (give it to every gateway: NODE_EXTRA_CA_CERTS)`
        : `kept the private CA ${outcome.files.caCert}`,
    );
    console.log(`server certificate for ${options.host.join(', ')}: ${outcome.files.serverCert}`);
  });

/** `--area broker=/data/broker` options over the BACKUP_*_DIR defaults. */
function areasOf(given: readonly string[], defaults: Record<string, string>): Record<string, string> {
  const areas = { ...defaults };
  for (const entry of given) {
    const at = entry.indexOf('=');
    if (at < 1) throw new Error(`--area takes name=path, e.g. broker=/data/broker (got "${entry}")`);
    areas[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return areas;
}

interface BackupOptions {
  to?: string;
  influxHost?: string;
  database?: string;
  influx: boolean;
  area: string[];
  keepDays?: string;
}

program
  .command('backup')
  .description('立即备份 InfluxDB 和平台状态 / take a backup now (defaults: the BACKUP_* variables)')
  .option('--to <dir>', '备份目录 / backup folder (BACKUP_DIR)')
  .option('--influx-host <host:port>', 'influxd 的 RPC 地址 / influxd RPC address (BACKUP_INFLUX_HOST)')
  .option('--database <name>', '数据库 / database (INFLUX_DATABASE)')
  .option('--no-influx', '不备份 InfluxDB / leave InfluxDB out')
  .option('--area <name=path...>', '状态区域 / a state area (BACKUP_<AREA>_DIR)', [])
  .option('--keep-days <n>', '保留天数 / delete backups older than this (BACKUP_KEEP_DAYS)')
  .action(async (options: BackupOptions) => {
    const config = loadBackupConfig();
    const root = options.to ?? config.dir;
    const { folder, manifest } = await takeBackup(
      {
        ...(options.influx
          ? {
              influx: {
                ...config.influx,
                host: options.influxHost ?? config.influx.host,
                database: options.database ?? config.influx.database,
              },
            }
          : {}),
        areas: areasOf(options.area, configuredAreas(config)),
      },
      root,
    );
    const files = Object.values(manifest.areas).reduce((n, area) => n + area.files.length, 0);
    console.log(`backup written: ${folder} (${files} state files${manifest.influx ? ', InfluxDB' : ''})`);
    const pruned = pruneBackups(root, Number(options.keepDays ?? config.keepDays));
    for (const old of pruned) console.log(`deleted old backup ${old}`);
  });

program
  .command('restore')
  .argument('<backup>', '一个备份目录 / one backup folder (village-…)')
  .description(
    '把备份恢复到一台新的服务器 / bring a fresh server back from a backup (before the services start)',
  )
  .option('--influx-host <host:port>', 'influxd 的 RPC 地址 / influxd RPC address (BACKUP_INFLUX_HOST)')
  .option('--no-influx', '不恢复 InfluxDB / leave InfluxDB alone')
  .option('--area <name=path...>', '状态区域放到哪里 / where a state area goes (BACKUP_<AREA>_DIR)', [])
  .option('--force', '覆盖已有的状态 / overwrite existing state')
  .action(
    async (
      backup: string,
      options: { influxHost?: string; influx: boolean; area: string[]; force?: boolean },
    ) => {
      const config = loadBackupConfig();
      const restored = await restoreBackup(backup, {
        ...(options.influx
          ? { influx: { ...config.influx, host: options.influxHost ?? config.influx.host } }
          : {}),
        areas: areasOf(options.area, configuredAreas(config)),
        force: options.force ?? false,
      });
      console.log(`restored ${restored.join(', ')}${options.influx ? ' and InfluxDB' : ''} from ${backup}`);
    },
  );

program
  .command('edge-config')
  .description('为 compose 中的网关写配置 / print the gateway config for the compose stack')
  .option('--site <file>', '站点文件 / site file', DEMO_SITE_FILE)
  .option('--gateway <id>', '网关 id（默认第一个）/ gateway id (default: the first)')
  .option('--bus-host <host>', 'Modbus TCP 服务器 / Modbus TCP host', 'simulator')
  .option('--bus-base-port <port>', '第一条总线的端口 / port of the first bus', '5020')
  .option('--upstream <url>', '代理地址 / broker URL', 'mqtt://broker:1883')
  .option('--lan-port <port>', '本地 MQTT 端口 / LAN broker port', '1884')
  .option('--http-port <port>', 'HTTP 端口 / HTTP port', '9103')
  .option('--data-dir <dir>', '数据目录 / data folder', '/data/edge')
  .action((options: EdgeConfigOptions) => {
    const site = loadSite(options.site);
    const gatewayId = options.gateway ?? site.gateways[0]?.id;
    if (!gatewayId) throw new Error(`site file ${options.site} names no gateway`);
    const config = composeGatewayConfig(
      site,
      gatewayId,
      {
        busHost: options.busHost,
        busBasePort: Number(options.busBasePort),
        upstreamUrl: options.upstream,
        lanPort: Number(options.lanPort),
        httpPort: Number(options.httpPort),
        dataDir: options.dataDir,
      },
      'placeholder-not-written',
    );
    process.stdout.write(EDGE_CONFIG_HEADER + toYaml(composeGatewayFile(config)));
  });

interface EdgeConfigOptions {
  site: string;
  gateway?: string;
  busHost: string;
  busBasePort: string;
  upstream: string;
  lanPort: string;
  httpPort: string;
  dataDir: string;
}

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
