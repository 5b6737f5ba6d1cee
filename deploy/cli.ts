import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { projectFile } from '../runtime/index.js';
import { DEMO_SITE_FILE, loadSite } from '../site/index.js';
import { composeGatewayConfig, composeGatewayFile } from './compose-edge-config.js';
import { fillSecrets } from './generate-env.js';

/** `node --import tsx deploy/cli.ts env|edge-config`: helpers for the Docker deployment. */
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
