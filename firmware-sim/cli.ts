import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { FAULT_KINDS } from './faults/fault-kinds.js';

/** 村庄模拟器控制命令 / Control commands for the simulated village (talks to its control API). */
const program = new Command()
  .name('firmware-sim')
  .description('模拟村庄的故障控制 / Switch faults in the simulated village')
  .option(
    '--url <url>',
    '模拟器控制接口地址 / control API base URL',
    process.env.SIM_CONTROL_URL ?? 'http://127.0.0.1:9104',
  )
  .option(
    '--token <token>',
    '控制令牌，默认取 SIM_CONTROL_TOKEN 或 ./data/secrets.json / control token; default SIM_CONTROL_TOKEN or ./data/secrets.json (npm start)',
  );

/** The control token: given, from the environment, or the one `npm start` keeps in ./data/secrets.json. */
function controlToken(given: string | undefined): string | undefined {
  if (given) return given;
  if (process.env.SIM_CONTROL_TOKEN) return process.env.SIM_CONTROL_TOKEN;
  try {
    return (JSON.parse(readFileSync('data/secrets.json', 'utf8')) as { simControlToken?: string })
      .simControlToken;
  } catch {
    return undefined;
  }
}

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const { url, token } = program.opts<{ url: string; token?: string }>();
  const bearer = controlToken(token);
  const response = await fetch(new URL(path, url), {
    method,
    headers: {
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) {
    const hint =
      response.status === 401 && bearer === undefined
        ? '（没有控制令牌：请在运行 npm start 的目录下执行，或给出 --token / SIM_CONTROL_TOKEN）' +
          ' (no control token: run this where npm start runs, or give --token / SIM_CONTROL_TOKEN)'
        : '';
    throw new Error(`${method} ${path} 失败 / failed (${response.status}): ${text}${hint}`);
  }
  return text ? (JSON.parse(text) as unknown) : undefined;
}

function print(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

const fault = program.command('fault').description('开启或关闭故障 / switch a fault on or off');

fault
  .command('on <kind> <target>')
  .description(
    `开启故障 / switch a fault on; kind: ${FAULT_KINDS.join(', ')}; target: 设备或区域 id / device or zone id`,
  )
  .action(async (kind: string, target: string) => print(await call('POST', '/faults', { kind, target })));

fault
  .command('off <id-or-kind> [target]')
  .description(
    '关闭故障：按 id，或按类型和对象（与 on 相同）/ switch a fault off by its id, or by the kind and target given to on',
  )
  .action(async (idOrKind: string, target: string | undefined) => {
    const ids = target === undefined ? [idOrKind] : await faultIds(idOrKind, target);
    if (ids.length === 0) {
      console.error(`没有此故障 / no such fault on: ${idOrKind} ${target}`);
      process.exitCode = 1;
    }
    for (const id of ids) print(await call('DELETE', `/faults/${encodeURIComponent(id)}`));
  });

/** The ids of the active faults of a kind on a target. */
async function faultIds(kind: string, target: string): Promise<string[]> {
  const { faults } = (await call('GET', '/faults')) as {
    faults: Array<{ id: string; kind: string; target: string }>;
  };
  return faults.filter((f) => f.kind === kind && f.target === target).map((f) => f.id);
}

program
  .command('faults')
  .description('列出当前故障 / list active faults')
  .action(async () => print(await call('GET', '/faults')));

program
  .command('served <device>')
  .description('设备最近一次提供的数值 / values a meter served last')
  .action(async (device: string) =>
    print(await call('GET', `/devices/${encodeURIComponent(device)}/served`)),
  );

program
  .command('endpoints')
  .description('各总线的 Modbus TCP 地址 / Modbus TCP endpoint of each bus')
  .action(async () => print(await call('GET', '/endpoints')));

program
  .command('freeze')
  .description('冻结所有表计读数 / make every meter serve constant values')
  .action(async () => print(await call('POST', '/freeze', {})));

program
  .command('unfreeze')
  .description('恢复表计读数变化 / let meter values move again')
  .action(async () => print(await call('POST', '/unfreeze', {})));

program.parseAsync().catch((error: unknown) => {
  console.error(`错误 / error: ${(error as Error).message}`);
  process.exitCode = 1;
});
