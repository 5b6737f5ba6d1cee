import { Command, Option } from 'commander';
import { CATALOGUE } from '../devices/index.js';
import { addDevice, type AddOptions } from './cli/add.js';
import { scanMeterLine, sweepMeterLine } from './cli/address-scan.js';
import {
  addBusOptions,
  atSetting,
  busFromOptions,
  cjt188BusFromOptions,
  LINE_DEFAULTS,
  meterLineBusFromOptions,
  type BusOptions,
} from './cli/bus-options.js';
import { checkConfig } from './cli/check.js';
import { probeCjt188Meter } from './cli/cjt188-probe.js';
import { probeDlt645Meter } from './cli/dlt645-probe.js';
import { writeStarterConfig } from './cli/init.js';
import { lineSweep } from './cli/line-sweep.js';
import { identifyMeter, identifyModbusDevice } from './cli/identify.js';
import { addLanDevices, listLanDevices, removeLanDevice } from './cli/lan.js';
import { BY_ID_DIR, listSerialPorts } from './cli/ports.js';
import { progressLine, terminalConfirm } from './cli/print.js';
import { setCjt188Address, setModbusUnitId } from './cli/set-address.js';
import { probeDevice } from './cli/probe.js';
import { parseIds, scanBus, sweepModbusLine } from './cli/scan.js';
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

program
  .command('ports')
  .description(
    '列出串口：稳定名称、USB 厂商和产品、是否有权限打开 / List serial ports: stable by-id names, USB vendor and product, and whether you may open them',
  )
  .helpOption('-h, --help', HELP)
  .option('--by-id-dir <dir>', '稳定名称所在目录 / where the stable names are', BY_ID_DIR)
  .action((options: { byIdDir: string }) => exitWith(() => listSerialPorts(options, print)));

addBusOptions(
  program
    .command('scan')
    .description(
      '扫描总线：哪些地址有应答；--baud auto 逐一尝试常用波特率和校验位 / Scan a bus: which unit ids (dlt645, cjt188: which meter) answer; --baud auto tries the common line settings',
    )
    .helpOption('-h, --help', HELP)
    .option('--ids <range>', '地址范围，如 1-247 或 1-10,20 / unit ids, e.g. 1-247 or 1-10,20', '1-247')
    .addOption(
      new Option('--table <table>', '读哪张表 / register table to read')
        .choices(['holding', 'input'])
        .default('holding'),
    )
    .option('--register <address>', '读的寄存器地址（从 0 起）/ register address to read (0-based)', '0')
    .option('--fast', '找到第一个应答即停 / stop at the first answer', false)
    .addHelpText(
      'after',
      '\n线路探测 Line discovery: --baud auto|9600,19200 --parity auto|none,even (串口 --rtu / serial port --rtu only)\n  Modbus: 9600 19200 4800 2400 38400 115200 × N E O;  dlt645, cjt188: 2400 1200 4800 9600 × E',
    ),
  200,
).action(
  (options: BusOptions & { ids: string; table: 'holding' | 'input'; register: string; fast: boolean }) =>
    exitWith(async () => {
      const protocol = (options.protocol ?? 'modbus') as keyof typeof LINE_DEFAULTS;
      const settings = lineSweep(protocol, options.baud, options.parity, LINE_DEFAULTS[protocol]);
      if (settings && !options.rtu) {
        throw new Error(
          '线路探测只适用于串口 --rtu / line discovery (--baud, --parity lists or auto) needs a serial port (--rtu): a TCP converter sets its line itself',
        );
      }
      const out = { print, progress: progressLine(process.stderr) };
      if (protocol !== 'modbus') {
        if (!settings) return scanMeterLine(meterLineBusFromOptions(options), out);
        return sweepMeterLine((s) => meterLineBusFromOptions(atSetting(options, s)), settings, options, out);
      }
      const bus = busFromOptions(settings ? atSetting(options, settings[0]!) : options);
      const ids = parseIds(options.ids, bus.transport === 'tcp' ? 255 : 247);
      const scan = { ids, table: options.table, address: Number(options.register), fast: options.fast };
      if (!settings) return scanBus(bus, scan, out);
      return sweepModbusLine((s) => busFromOptions(atSetting(options, s)), settings, scan, out);
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
    .option(
      '--address <digits>',
      '表地址：DL/T 645 铭牌 12 位，CJ/T 188 14 位 / meter address: DL/T 645 12 digits, CJ/T 188 14 digits',
    )
    .addOption(
      new Option('--profile <id>', '设备型号 / device profile').choices(polledProfiles).makeOptionMandatory(),
    )
    .option('--raw', '同时显示原始值（十六进制）/ also show the raw words or bytes in hex', false),
  1000,
).action((options: BusOptions & { unit?: string; address?: string; profile: string; raw: boolean }) =>
  exitWith(async () => {
    if (options.protocol === 'dlt645' || options.protocol === 'cjt188') {
      if (!options.address) throw new Error('请给出表地址 --address / give the meter address with --address');
      const bus = meterLineBusFromOptions(options);
      const meter = { address: options.address, profile: options.profile, raw: options.raw };
      return bus.protocol === 'dlt645'
        ? probeDlt645Meter(bus, meter, print)
        : probeCjt188Meter(bus, meter, print);
    }
    if (!options.unit) throw new Error('请给出 --unit / give --unit for a Modbus device');
    return probeDevice(
      busFromOptions(options),
      { unitId: Number(options.unit), profile: options.profile, raw: options.raw },
      print,
    );
  }),
);

addBusOptions(
  program
    .command('identify')
    .description(
      '按目录中的型号逐一读取，按读数是否合理排序 / Which catalogue profiles fit a device, ranked by how plausible their readings are',
    )
    .helpOption('-h, --help', HELP)
    .option('--unit <id>', 'Modbus 从站地址 / Modbus unit id')
    .option(
      '--address <digits>',
      '表地址（省略则读取线上唯一电表的地址）/ meter address (read from the line when it is the only meter)',
    ),
  500,
).action((options: BusOptions & { unit?: string; address?: string }) =>
  exitWith(async () => {
    if (options.protocol === 'dlt645' || options.protocol === 'cjt188') {
      return identifyMeter(meterLineBusFromOptions(options), options.address, print);
    }
    if (!options.unit) throw new Error('请给出 --unit / give --unit for a Modbus device');
    return identifyModbusDevice(busFromOptions(options), Number(options.unit), print);
  }),
);

addBusOptions(
  program
    .command('set-address')
    .description(
      '修改表的通信地址并回读确认（Modbus 从站地址、CJ/T 188 表地址）/ Change a meter’s address and read it back (Modbus unit id, CJ/T 188 address)',
    )
    .helpOption('-h, --help', HELP)
    .requiredOption('--from <id>', '当前地址 / current unit id or meter address')
    .requiredOption('--to <id>', '新地址 / new unit id or meter address')
    .addOption(
      new Option('--profile <id>', '设备型号 / device profile').choices(polledProfiles).makeOptionMandatory(),
    )
    .option('-y, --yes', '不再询问确认 / do not ask for confirmation', false),
  1000,
).action((options: BusOptions & { from: string; to: string; profile: string; yes: boolean }) =>
  exitWith(async () => {
    const confirm = terminalConfirm(options.yes);
    if (options.protocol === 'dlt645') {
      print(
        '✘ DL/T 645 电表改地址需按表上的编程键，请在表上设置 / a DL/T 645 meter takes a new address only with its programming button pressed: set it on the meter',
      );
      return 2;
    }
    if (options.protocol === 'cjt188') {
      return setCjt188Address(cjt188BusFromOptions(options), options, confirm, print);
    }
    const [from, to] = [Number(options.from), Number(options.to)];
    if (!Number.isInteger(from) || !Number.isInteger(to))
      throw new Error('地址应为整数 / unit ids are whole numbers');
    return setModbusUnitId(busFromOptions(options), { from, to, profile: options.profile }, confirm, print);
  }),
);

addBusOptions(
  program
    .command('add')
    .description(
      '把找到的表加入网关配置（同一校验），并可向平台登记 / Add a found meter to the gateway config (same validation), and enrol it with the platform',
    )
    .helpOption('-h, --help', HELP)
    .requiredOption('-c, --config <file>', '网关配置文件 / gateway config file')
    .requiredOption(
      '--bus <id>',
      '总线 id（不存在则按 --rtu/--tcp 新建）/ bus id (created from --rtu/--tcp when new)',
    )
    .requiredOption('--id <id>', '设备 id / device id')
    .addOption(
      new Option('--profile <id>', '设备型号 / device profile').choices(polledProfiles).makeOptionMandatory(),
    )
    .option('--unit <id>', 'Modbus 从站地址 / Modbus unit id')
    .option('--address <digits>', 'DL/T 645、CJ/T 188 表地址 / meter address')
    .option('--poll <s>', '轮询间隔（秒）/ poll interval, s', '10')
    .option('--name <name>', '设备名称（平台显示）/ device name the platform shows, e.g. 食堂水表')
    .option('--zone <id>', '所在区域 id / zone id in the site')
    .option('--building <id>', '所在建筑 id / building id in the site')
    .option('--enrol-url <url>', '平台登记接口，如 https://platform:9102 / the platform enrolment API')
    .option(
      '--enrol-token <token>',
      '网关登记令牌（或 EDGE_ENROL_TOKEN）/ the gateway enrolment token (or EDGE_ENROL_TOKEN)',
    ),
  1000,
).action((options: AddOptions) =>
  exitWith(() =>
    addDevice({ ...options, enrolToken: options.enrolToken ?? process.env.EDGE_ENROL_TOKEN }, print),
  ),
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

const lan = program
  .command('lan')
  .description('局域网设备凭据（哈希保存）/ LAN device credentials (kept as hashes)')
  .helpOption('-h, --help', HELP);
lan
  .command('add')
  .description('为设备生成凭据，密码只显示一次 / Give devices a credential; the password is shown once')
  .helpOption('-h, --help', HELP)
  .argument('<device...>', '设备 id（一台摄像机录像机可带多台）/ device ids (an NVR may publish for several)')
  .requiredOption('-c, --config <file>', '配置文件 / config file')
  .option('--username <name>', '用户名，默认第一台设备的 id / username, default the first device id')
  .option('--replace', '替换同名凭据（换密码）/ replace a credential of that name (new password)', false)
  .action((devices: string[], options: { config: string; username?: string; replace: boolean }) =>
    exitWith(() => addLanDevices({ ...options, devices }, print)),
  );
lan
  .command('remove')
  .description('删除凭据 / Remove a credential')
  .helpOption('-h, --help', HELP)
  .argument('<username>', '用户名 / username')
  .requiredOption('-c, --config <file>', '配置文件 / config file')
  .action((username: string, options: { config: string }) =>
    exitWith(() => removeLanDevice({ ...options, username }, print)),
  );
lan
  .command('list')
  .description('列出凭据及尚无凭据的设备 / List credentials and the devices without one')
  .helpOption('-h, --help', HELP)
  .requiredOption('-c, --config <file>', '配置文件 / config file')
  .action((options: { config: string }) => exitWith(() => listLanDevices(options, print)));

await program.parseAsync();
