import { constants } from 'node:fs';
import { access, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import type { Print } from './print.js';
import { table } from './text.js';

export const BY_ID_DIR = '/dev/serial/by-id';

interface FoundPort {
  path: string;
  byId?: string;
  usb?: string;
  access: string;
  denied: boolean;
}

/**
 * Lists the serial ports with their stable `/dev/serial/by-id` names (a USB adapter's
 * ttyUSB number changes with the order it is plugged in; the by-id name does not), the
 * USB vendor and product, and whether this user may open them. Exit code 1 when a
 * port cannot be opened for lack of permission.
 */
export async function listSerialPorts(options: { byIdDir: string }, print: Print): Promise<number> {
  const listed = await SerialPort.list().catch(() => []);
  const byId = await stableNames(options.byIdDir);
  const paths = new Set([...listed.map((p) => p.path), ...byId.keys()]);
  const ports: FoundPort[] = [];
  for (const path of [...paths].sort()) {
    const info = listed.find((p) => p.path === path);
    const usb =
      info?.vendorId && info.productId
        ? `${info.vendorId}:${info.productId}${info.manufacturer ? ` ${info.manufacturer}` : ''}`
        : undefined;
    const permission = await accessOf(path);
    ports.push({ path, byId: byId.get(path), usb, ...permission });
  }
  if (ports.length === 0) {
    print(
      '没有找到串口：插上 USB-RS485 转换器后再试 / no serial port found: plug in the USB–RS485 adapter and try again (ls /dev/ttyUSB*)',
    );
    return 0;
  }
  print(
    table(
      [
        '串口 Port',
        '稳定名称 Stable name (配置中使用 use in the config)',
        'USB 厂商:产品 vendor:product',
        '权限 Access',
      ],
      ports.map((p) => [p.path, p.byId ?? '—', p.usb ?? '—', p.access]),
    ),
  );
  if (ports.some((p) => p.denied)) {
    print(
      '提示 Hint: sudo usermod -aG dialout $USER，然后重新登录 / then log in again (串口属于 dialout 组 / serial ports belong to the dialout group)',
    );
    return 1;
  }
  return 0;
}

/** Device path → its stable by-id path. */
async function stableNames(dir: string): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const entries = await readdir(dir).catch(() => []);
  for (const entry of entries.sort()) {
    const link = join(dir, entry);
    const target = await realpath(link).catch(() => undefined);
    if (target) names.set(target, link);
  }
  return names;
}

async function accessOf(path: string): Promise<{ access: string; denied: boolean }> {
  try {
    await access(path, constants.R_OK | constants.W_OK);
    return { access: '✔ 可读写 read/write', denied: false };
  } catch {
    const group = await groupOf(path);
    return { access: `✘ 无权限 no permission${group ? ` (组 group ${group})` : ''}`, denied: true };
  }
}

async function groupOf(path: string): Promise<string | undefined> {
  try {
    const { gid } = await stat(path);
    const groups = await readFile('/etc/group', 'utf8');
    return groups
      .split('\n')
      .map((line) => line.split(':'))
      .find((fields) => fields[2] === String(gid))?.[0];
  } catch {
    return undefined;
  }
}
