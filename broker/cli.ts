import { Command, Option } from 'commander';
import { addCredential, listCredentials, removeCredential } from './credentials/credential-admin.js';
import { ROLES } from './credentials/credential-schema.js';
import { CREDENTIALS_FILE_ENV, DEFAULT_CREDENTIALS_FILE } from './credentials/credentials-file.js';
import { exportMosquitto, setMosquittoPassword } from './mosquitto/mosquitto-export.js';

/**
 * `npx tsx broker/cli.ts add|remove|list|export`: manages the broker's credentials file (the broker
 * picks changes up live) and exports it for mosquitto 2.
 */
function fileOption(): Option {
  return new Option('-f, --file <path>', '凭据文件 / credentials file')
    .env(CREDENTIALS_FILE_ENV)
    .default(DEFAULT_CREDENTIALS_FILE);
}

const program = new Command()
  .name('broker-credentials')
  .description(
    'MQTT 代理凭据管理：添加、删除、列出用户；代理运行时自动重新加载。\n' +
      'Manage MQTT broker credentials: add, remove, list users; a running broker reloads them.',
  )
  .showHelpAfterError();

program
  .command('add')
  .description(
    '添加用户（未给密码时生成一个，只显示一次）/ add a user (a generated password is printed once)',
  )
  .argument('<username>', '用户名 / username')
  .addOption(new Option('-r, --role <role>', '角色 / role').choices(ROLES).makeOptionMandatory())
  .requiredOption('-s, --site <id...>', '站点 id，"*" 表示全部 / site ids, "*" for all')
  .option('-g, --gateway <id>', '网关 id（gateway 角色必填）/ gateway id (required for role gateway)')
  .option(
    '-p, --password <password>',
    '密码（会留在 shell 历史中，建议省略）/ password (stays in shell history: prefer omitting it)',
  )
  .option('--replace', '替换同名用户 / replace an existing user of that name', false)
  .option(
    '--mosquitto <dir>',
    '同时写入 mosquitto 2 的密码文件 / also set the user in the mosquitto 2 password file of that folder',
  )
  .addOption(fileOption())
  .action(async (username: string, opts: AddOptions) => {
    const { password } = await addCredential(opts.file, {
      username,
      role: opts.role,
      sites: opts.site,
      gateway: opts.gateway,
      password: opts.password,
      replace: opts.replace,
    });
    console.log(`added ${username} (${opts.role}) to ${opts.file}`);
    if (opts.mosquitto) {
      await setMosquittoPassword(opts.mosquitto, username, password);
      const { withoutPassword } = exportMosquitto(await listCredentials(opts.file), opts.mosquitto);
      console.log(`mosquitto files in ${opts.mosquitto} updated (send mosquitto SIGHUP)`);
      if (withoutPassword.length) console.log(`no mosquitto password yet: ${withoutPassword.join(', ')}`);
    }
    if (opts.password === undefined) {
      console.log(`password (shown once, 只显示一次): ${password}`);
    }
  });

program
  .command('remove')
  .description('删除用户；已连接的客户端会被断开 / remove a user; its connected clients are disconnected')
  .argument('<username>', '用户名 / username')
  .addOption(fileOption())
  .action(async (username: string, opts: { file: string }) => {
    if (!(await removeCredential(opts.file, username))) {
      console.error(`no user ${username} in ${opts.file}`);
      process.exitCode = 1;
      return;
    }
    console.log(`removed ${username} from ${opts.file}`);
  });

program
  .command('list')
  .description('列出用户（不显示密码哈希）/ list users (never shows password hashes)')
  .option('--json', '以 JSON 输出 / print JSON', false)
  .addOption(fileOption())
  .action(async (opts: { file: string; json: boolean }) => {
    const grants = await listCredentials(opts.file);
    if (opts.json) {
      console.log(JSON.stringify(grants, null, 2));
      return;
    }
    if (grants.length === 0) console.log(`no credentials in ${opts.file}`);
    for (const grant of grants) {
      const gateway = grant.gateway ? ` gateway=${grant.gateway}` : '';
      console.log(`${grant.username}\trole=${grant.role}\tsites=${grant.sites.join(',')}${gateway}`);
    }
  });

program
  .command('export')
  .description(
    '导出为 mosquitto 2 的 ACL 和密码文件 / export the credentials as mosquitto 2 acl_file and password_file',
  )
  .requiredOption('--mosquitto <dir>', '输出目录 / output folder (acl, passwd)')
  .addOption(fileOption())
  .action(async (opts: { mosquitto: string; file: string }) => {
    const { withoutPassword, removed } = exportMosquitto(await listCredentials(opts.file), opts.mosquitto);
    console.log(`wrote ${opts.mosquitto}/acl and ${opts.mosquitto}/passwd (send mosquitto SIGHUP)`);
    if (removed.length) console.log(`removed from passwd: ${removed.join(', ')}`);
    if (withoutPassword.length) {
      console.log(
        `no mosquitto password for: ${withoutPassword.join(', ')} — set one with ` +
          '`add <user> … --replace --mosquitto <dir>` (passwords are kept only as hashes) / 这些用户需重设密码',
      );
      process.exitCode = 2;
    }
  });

interface AddOptions {
  role: (typeof ROLES)[number];
  site: string[];
  gateway?: string;
  password?: string;
  replace: boolean;
  mosquitto?: string;
  file: string;
}

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
