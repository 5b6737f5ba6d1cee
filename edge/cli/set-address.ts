import {
  CJT188_FUNCTION,
  decodeWords,
  encodeCjt188WriteAddressRequest,
  encodeWords,
  getCjt188Profile,
  getModbusProfile,
  normaliseCjt188Address,
  parseCjt188Control,
  parseCjt188Reply,
  protocolAddress,
  type WordLayout,
} from '../../devices/index.js';
import type { BusConfig, Cjt188BusConfig } from '../config/edge-config-schema.js';
import { toCjt188Error } from '../cjt188/cjt188-error.js';
import { createCjt188Transport } from '../cjt188/cjt188-transport.js';
import { readCjt188Meter } from '../cjt188/read-meter.js';
import { createScheduler, createTransport } from '../modbus/create-transport.js';
import { toModbusError } from '../modbus/modbus-error.js';
import { cliLogger, type Print } from './print.js';
import { explainError } from './text.js';

/** Asks the technician to confirm; resolves true for yes. */
export type Confirm = (question: string) => Promise<boolean>;

/**
 * Changes a Modbus meter's unit id by writing the register its profile names, after a
 * confirmation, then reads the register back at the new id. Exit codes: 0 changed and
 * read back, 1 failed or not confirmed, 2 the profile does not say where the id is kept.
 */
export async function setModbusUnitId(
  bus: BusConfig,
  options: { from: number; to: number; profile: string },
  confirm: Confirm,
  print: Print,
): Promise<number> {
  const profile = getModbusProfile(options.profile);
  const register = profile.unitIdRegister;
  if (!register) {
    print(
      `✘ ${profile.vendor} ${profile.model}: 型号未说明地址寄存器，请在表的菜单里设置 / the profile does not say where the unit id is kept: set it on the meter's menu`,
    );
    return 2;
  }
  if (options.to < 1 || options.to > 247 || options.to === options.from) {
    print(`✘ 新地址无效 / new unit id must be 1-247 and differ from the old one: ${options.to}`);
    return 1;
  }
  const address = protocolAddress(profile, register.at);
  const layout: WordLayout = { type: register.type, wordOrder: 'high-first', byteOrder: 'big' };
  const block = { table: 'holding' as const, start: address, count: register.type === 'float32' ? 2 : 1 };
  const transport = createTransport(bus, cliLogger);
  const scheduler = createScheduler(bus);
  const readId = async (unit: number) =>
    Math.round(decodeWords(await scheduler.run(() => transport.read(unit, block, bus.timeoutMs)), layout));
  try {
    let current: number;
    try {
      current = await readId(options.from);
    } catch (error) {
      const coded = toModbusError(error, `unit ${options.from}`);
      print(`✘ unit ${options.from}: ${explainError(coded.code, coded.detail)}`);
      return 1;
    }
    print(
      `${profile.vendor} ${profile.model} · ${transport.description} · unit ${options.from} (寄存器 register ${register.at} = ${current})`,
    );
    const yes = await confirm(
      `将地址 ${options.from} 改为 ${options.to}？/ Change unit id ${options.from} to ${options.to}? [y/N] `,
    );
    if (!yes) {
      print('未修改 / not changed');
      return 1;
    }
    const words = encodeWords(options.to, layout);
    try {
      await scheduler.run(() => transport.write(options.from, address, words, bus.timeoutMs));
    } catch (error) {
      const coded = toModbusError(error, `unit ${options.from} write`);
      // Some meters switch to the new id before they answer the write: the read-back decides.
      if (coded.code !== 'MODBUS_TIMEOUT') {
        print(`✘ ${explainError(coded.code, coded.detail)}`);
        return 1;
      }
    }
    try {
      const readBack = await readId(options.to);
      if (readBack !== options.to) throw new Error(`register reads ${readBack}`);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      print(
        `✘ 回读失败 / read-back at unit ${options.to} failed: ${detail}\n  表可能需要断电重启才生效 / the meter may take the new id only after a power cycle`,
      );
      return 1;
    }
    print(`✔ 已修改并回读 / changed and read back: unit ${options.to}`);
    return 0;
  } finally {
    await transport.close();
  }
}

/**
 * Gives a CJ/T 188 water meter a new address (write address, DI A018, to its current
 * address, never to a wildcard), after a confirmation, then reads it at the new one.
 */
export async function setCjt188Address(
  bus: Cjt188BusConfig,
  options: { from: string; to: string; profile: string },
  confirm: Confirm,
  print: Print,
): Promise<number> {
  const profile = getCjt188Profile(options.profile);
  const from = normaliseCjt188Address(options.from);
  const to = normaliseCjt188Address(options.to);
  if (from.includes('AA') || to.includes('AA') || from === to) {
    print('✘ 地址必须是两个不同的 14 位数字 / give two different 14-digit addresses, no wildcards');
    return 1;
  }
  const transport = createCjt188Transport(bus, cliLogger);
  const read = (address: string) =>
    readCjt188Meter(transport, profile, address, bus.timeoutMs, () => undefined);
  try {
    try {
      await read(from);
    } catch (error) {
      const coded = toCjt188Error(error, `meter ${from}`);
      print(`✘ ${explainError(coded.code, coded.detail)}`);
      return 1;
    }
    print(`${profile.vendor} ${profile.model} · ${transport.description} · 表地址 meter ${from}`);
    if (!(await confirm(`将表地址 ${from} 改为 ${to}？/ Change meter address ${from} to ${to}? [y/N] `))) {
      print('未修改 / not changed');
      return 1;
    }
    const messageOptions = { edition: profile.edition, preambleBytes: profile.preambleBytes };
    try {
      const frame = await transport.request(
        {
          request: encodeCjt188WriteAddressRequest(profile.meterType, from, to, messageOptions),
          accepts: (f) => {
            const control = parseCjt188Control(f.control);
            return control.isReply && control.func === CJT188_FUNCTION.writeAddress;
          },
          what: `meter ${from} write address`,
        },
        bus.timeoutMs,
      );
      const reply = parseCjt188Reply(frame, { func: CJT188_FUNCTION.writeAddress, edition: profile.edition });
      if (reply.kind === 'error')
        throw new Error(`the meter refused (status 0x${reply.status.word.toString(16)})`);
    } catch (error) {
      const coded = toCjt188Error(error, `meter ${from} write address`);
      print(`✘ ${explainError(coded.code, coded.detail)}`);
      return 1;
    }
    try {
      await read(to);
    } catch (error) {
      const coded = toCjt188Error(error, `meter ${to}`);
      print(`✘ 回读失败 / read-back at ${to} failed: ${explainError(coded.code, coded.detail)}`);
      return 1;
    }
    print(`✔ 已修改并回读 / changed and read back: 表地址 meter ${to}`);
    return 0;
  } finally {
    await transport.close();
  }
}
