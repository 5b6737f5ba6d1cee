import { Command, Option } from 'commander';
import { CATALOGUE } from '../devices/index.js';
import { busFromOptions, addBusOptions, dlt645BusFromOptions, type BusOptions } from './cli/bus-options.js';
import { checkConfig } from './cli/check.js';
import { probeDlt645Meter } from './cli/dlt645-probe.js';
import { scanDlt645Line } from './cli/dlt645-scan.js';
import { writeStarterConfig } from './cli/init.js';
import { probeDevice } from './cli/probe.js';
import { parseIds, scanBus } from './cli/scan.js';
import { runGatewayFromFile } from './run-gateway.js';

/**
 * The technician's tool (`npx tsx edge/cli.ts <command>`): find meters on a bus, read
 * one with its profile, check a config against the real devices, write a starter
 * config, and run the gateway. Every command explains itself in Chinese and English.
 */
const print = (line: string) => console.log(line);
const HELP = '显示帮助 / show help';
const polledProfiles = CATALOGUE.filter((p) => p.protocol !== 'mqtt').map((p) => p.id);

async function exitWith(run: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await run();
  } catch (error) {
    console.error(`✘ ${(error as Error).message}`);
    process.exitCode = 2;
  }
}

const TITLES: Record<string, string> = {
  'Usage:': '用法 Usage:',
  'Options:': '选项 Options:',
  'Commands:': '命令 Commands:',
  'Arguments:': '参数 Arguments:',
};

const program = new Command()
  .configureHelp({ styleTitle: (title) => TITLES[title] ?? title })
  .name('edge')
  .description('乡村网关现场工具 / Village gateway field tool')
  .helpOption('-h, --help', HELP)
  .helpCommand('help [command]', '显示命令帮助 / show help for a command')
  .showHelpAfterError();

addBusOptions(
  program
    .command('scan')
    .description(
      '扫描总线上哪些从站地址有应答（dlt645：读通信地址）/ Scan a bus: which unit ids answer (dlt645: read the address)',
    )
    .helpOption('-h, --help', HELP)
    .option('--ids <range>', '地址范围，如 1-247 或 1-10,20 / unit ids, e.g. 1-247 or 1-10,20', '1-247')
    .addOption(
      new Option('--table <table>', '读哪张表 / register table to read')
        .choices(['holding', 'input'])
        .default('holding'),
    )
    .option('--register <address>', '读的寄存器地址（从 0 起）/ register address to read (0-based)', '0'),
  200,
).action((options: BusOptions & { ids: string; table: 'holding' | 'input'; register: string }) =>
  exitWith(() => {
    if (options.protocol === 'dlt645') return scanDlt645Line(dlt645BusFromOptions(options), print);
    const bus = busFromOptions(options);
    const ids = parseIds(options.ids, bus.transport === 'tcp' ? 255 : 247);
    return scanBus(bus, { ids, table: options.table, address: Number(options.register) }, print);
  }),
);

addBusOptions(
  program
    .command('probe')
    .description(
      '按型号读取一台设备并列出读数和单位 / Read one device with its profile: a table of values with units',
    )
    .helpOption('-h, --help', HELP)
    .option('--unit <id>', 'Modbus 从站地址 / Modbus unit id')
    .option('--address <digits>', 'DL/T 645 表地址（铭牌上 12 位）/ DL/T 645 meter address (12 digits)')
    .addOption(
      new Option('--profile <id>', '设备型号 / device profile').choices(polledProfiles).makeOptionMandatory(),
    )
    .option('--raw', '同时显示原始值（十六进制）/ also show the raw words or bytes in hex', false),
  1000,
).action((options: BusOptions & { unit?: string; address?: string; profile: string; raw: boolean }) =>
  exitWith(async () => {
    if (options.protocol === 'dlt645') {
      if (!options.address)
        throw new Error('请给出 --address / give --address (12 digits) for a DL/T 645 meter');
      const bus = dlt645BusFromOptions(options);
      return probeDlt645Meter(
        bus,
        { address: options.address, profile: options.profile, raw: options.raw },
        print,
      );
    }
    if (!options.unit) throw new Error('请给出 --unit / give --unit for a Modbus device');
    return probeDevice(
      busFromOptions(options),
      { unitId: Number(options.unit), profile: options.profile, raw: options.raw },
      print,
    );
  }),
);

program
  .command('check')
  .description(
    '校验配置文件并逐台测试设备和上行 / Validate a config file and test every device and the uplink once',
  )
  .helpOption('-h, --help', HELP)
  .requiredOption('-c, --config <file>', '配置文件 / config file')
  .option('--skip-upstream', '不测试上行连接 / do not try the uplink', false)
  .addHelpText(
    'after',
    '\n退出码 Exit code: 0 全部正常 all good, 1 有设备失败 a check failed, 2 配置无效 config invalid',
  )
  .action((options: { config: string; skipUpstream: boolean }) =>
    exitWith(() => checkConfig(options.config, { skipUpstream: options.skipUpstream }, print)),
  );

program
  .command('run')
  .description('运行网关（同 edge/main.ts）/ Run the gateway (same as edge/main.ts)')
  .helpOption('-h, --help', HELP)
  .option(
    '-c, --config <file>',
    '配置文件，EDGE_* 环境变量可覆盖 / config file; EDGE_* variables override it',
  )
  .action((options: { config?: string }) => runGatewayFromFile(options.config));

program
  .command('init')
  .description(
    '为本站点和网关写一份带注释的初始配置 / Write a commented starter config for this site and gateway',
  )
  .helpOption('-h, --help', HELP)
  .requiredOption('--site <id>', '站点 id / site id')
  .requiredOption('--gateway <id>', '网关 id / gateway id')
  .option('--site-file <file>', '站点文件，用于列出本网关的设备 / site file: list this gateway’s devices')
  .option('--upstream <url>', '平台 MQTT 地址 / platform broker URL', 'mqtts://platform.example:8883')
  .option('-o, --out <file>', '输出文件 / output file', 'edge.yaml')
  .option('--force', '覆盖已有文件 / overwrite an existing file', false)
  .action(
    (options: {
      site: string;
      gateway: string;
      siteFile?: string;
      upstream: string;
      out: string;
      force: boolean;
    }) => exitWith(() => writeStarterConfig(options, print)),
  );

await program.parseAsync();
