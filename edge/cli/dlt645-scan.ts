import {
  DLT645_CONTROL,
  DLT645_WILDCARD_ADDRESS,
  encodeReadAddressRequest,
  parseReadAddressReply,
} from '../../devices/index.js';
import type { Dlt645BusConfig } from '../config/edge-config-schema.js';
import { createDlt645Transport } from '../dlt645/create-dlt645-line.js';
import { toDlt645Error } from '../dlt645/dlt645-error.js';
import { cliLogger, type Print } from './print.js';
import { explainError } from './text.js';

/**
 * Asks the line "who is there" with the read-address command (0x13) to the wildcard
 * address AAAAAAAAAAAA. Only one meter on the line can answer it: with several, their
 * replies collide and the nameplates must be read. Exit code 1 only if the line cannot be opened.
 */
export async function scanDlt645Line(bus: Dlt645BusConfig, print: Print): Promise<number> {
  const transport = createDlt645Transport(bus, cliLogger);
  print(
    `扫描 Scanning ${transport.description}: 读通信地址 read address (0x13) → ${DLT645_WILDCARD_ADDRESS}, timeout ${bus.timeoutMs} ms`,
  );
  try {
    const frame = await transport.request(
      {
        request: encodeReadAddressRequest(),
        accepts: (f) => f.control === DLT645_CONTROL.readAddressReply,
        what: 'read address',
      },
      bus.timeoutMs,
    );
    const address = parseReadAddressReply(frame);
    print(`  ✔ 应答 answers: 表地址 meter address ${address}`);
    print('共 1 个电表应答 / 1 meter answered');
    return 0;
  } catch (error) {
    const coded = toDlt645Error(error, 'read address');
    if (coded.code === 'DLT645_CONNECT') {
      print(`✘ ${explainError(coded.code, coded.detail)}`);
      return 1;
    }
    if (coded.code === 'DLT645_TIMEOUT') {
      print(
        '无应答 / no answer: 线上没有电表，或有多台电表同时应答（冲突）：请读铭牌地址后用 probe --address 逐台读取 / no meter, or several meters answered at once (collision): read their nameplate addresses and use probe --address',
      );
    } else {
      print(
        `? 应答乱码，可能有多台电表同时应答 / garbled answer, perhaps several meters at once\n       ${coded.detail ?? coded.message}`,
      );
    }
    print('共 0 个电表应答 / 0 meters answered');
    return 0;
  } finally {
    await transport.close();
  }
}
