import { loadEdgeConfig } from '../config/load-edge-config.js';
import {
  addLanCredential,
  lanCredentialsFileOf,
  readLanCredentials,
  removeLanCredential,
} from '../lan/lan-credentials.js';
import type { Print } from './print.js';
import { table } from './text.js';

const RESTART =
  '  重启网关后生效 / takes effect when the gateway restarts: systemctl restart village-gateway';

/**
 * Gives LAN devices credentials of their own: the gateway keeps only scrypt hashes (in
 * `lan.credentialsFile`), the password is printed once, to be typed into the device.
 */
export async function addLanDevices(
  options: { config: string; devices: string[]; username?: string; replace: boolean },
  print: Print,
): Promise<number> {
  const config = loadEdgeConfig({ file: options.config });
  const known = new Set(config.mqttDevices.map((device) => device.id));
  const unknown = options.devices.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    print(`✘ 配置中没有这些局域网设备 / not LAN devices of this config: ${unknown.join(', ')}`);
    print(`  已配置 configured: ${[...known].join(', ') || '（无 none）'}`);
    return 1;
  }
  const file = lanCredentialsFileOf(config);
  const username = options.username ?? (options.devices[0] as string);
  const { password } = await addLanCredential(file, {
    username,
    devices: options.devices,
    replace: options.replace,
  });
  print(`✔ 局域网凭据已保存 LAN credential saved: ${username} → ${options.devices.join(', ')} (${file})`);
  print(`  用户名 username: ${username}`);
  print(`  密码 password:   ${password}`);
  print('  密码只显示这一次，请填入设备 / shown only this once: enter it in the device');
  print(RESTART);
  return 0;
}

export async function removeLanDevice(
  options: { config: string; username: string },
  print: Print,
): Promise<number> {
  const config = loadEdgeConfig({ file: options.config });
  const file = lanCredentialsFileOf(config);
  if (!(await removeLanCredential(file, options.username))) {
    print(`✘ 没有这个局域网用户 / no LAN user ${options.username} in ${file}`);
    return 1;
  }
  print(`✔ 已删除 removed ${options.username}`);
  print(RESTART);
  return 0;
}

export async function listLanDevices(options: { config: string }, print: Print): Promise<number> {
  const config = loadEdgeConfig({ file: options.config });
  const file = lanCredentialsFileOf(config);
  const credentials = await readLanCredentials(file);
  print(`${file}${config.lan.allowAnonymous ? '  ⚠ 允许匿名 anonymous allowed (lan.allowAnonymous)' : ''}`);
  print(
    table(
      ['用户名 username', '设备 devices'],
      credentials.map((entry) => [entry.username, entry.devices.join(', ')]),
    ),
  );
  const covered = new Set(credentials.flatMap((entry) => entry.devices));
  const without = config.mqttDevices.filter((device) => !covered.has(device.id)).map((device) => device.id);
  if (without.length > 0) print(`⚠ 尚无凭据的设备 devices without a credential: ${without.join(', ')}`);
  return 0;
}
