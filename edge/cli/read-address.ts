import {
  CJT188_FUNCTION,
  CJT188_METER_TYPES,
  DLT645_CONTROL,
  encodeCjt188ReadAddressRequest,
  encodeReadAddressRequest,
  parseCjt188Control,
  parseCjt188Reply,
  parseReadAddressReply,
} from '../../devices/index.js';
import type { EdgeError } from '../errors.js';
import type { Cjt188BusConfig, Dlt645BusConfig } from '../config/edge-config-schema.js';
import { toCjt188Error } from '../cjt188/cjt188-error.js';
import { createCjt188Transport } from '../cjt188/cjt188-transport.js';
import { createDlt645Transport } from '../dlt645/create-dlt645-line.js';
import { toDlt645Error } from '../dlt645/dlt645-error.js';
import { cliLogger } from './print.js';

/** A DL/T 645 or CJ/T 188 line, as the CLI builds it from its options. */
export type MeterLineBus = Dlt645BusConfig | Cjt188BusConfig;

/** The one meter on a line, as it named itself. */
export interface MeterIdentity {
  address: string;
  /** CJ/T 188 only: the meter type T (0x10 cold water). */
  meterType?: number;
  /** `cold water meter 冷水水表`, for the report. */
  kind?: string;
}

export type ReadAddressResult =
  | { kind: 'found'; meter: MeterIdentity }
  | { kind: 'silent' }
  | { kind: 'garbled'; detail: string }
  | { kind: 'unavailable'; error: EdgeError };

/**
 * Asks a line "who is there" (DL/T 645 read address 0x13 to AAAAAAAAAAAA; CJ/T 188
 * read address 0x03 to type AA, address AA…AA). Only one meter on a line can answer:
 * with several, their replies collide (garbled) or none is heard.
 */
export async function readLineAddress(
  bus: MeterLineBus,
  description?: (text: string) => void,
): Promise<ReadAddressResult> {
  if (bus.protocol === 'dlt645') {
    const transport = createDlt645Transport(bus, cliLogger);
    description?.(transport.description);
    try {
      const frame = await transport.request(
        {
          request: encodeReadAddressRequest(),
          accepts: (f) => f.control === DLT645_CONTROL.readAddressReply,
          what: 'read address',
        },
        bus.timeoutMs,
      );
      return { kind: 'found', meter: { address: parseReadAddressReply(frame) } };
    } catch (error) {
      return failure(toDlt645Error(error, 'read address'), 'DLT645');
    } finally {
      await transport.close();
    }
  }
  const transport = createCjt188Transport(bus, cliLogger);
  description?.(transport.description);
  try {
    const frame = await transport.request(
      {
        request: encodeCjt188ReadAddressRequest(),
        accepts: (f) => {
          const control = parseCjt188Control(f.control);
          return control.isReply && control.func === CJT188_FUNCTION.readAddress;
        },
        what: 'read address',
      },
      bus.timeoutMs,
    );
    const reply = parseCjt188Reply(frame, { func: CJT188_FUNCTION.readAddress });
    const type = CJT188_METER_TYPES[reply.meterType];
    return {
      kind: 'found',
      meter: {
        address: reply.address,
        meterType: reply.meterType,
        kind: `T=${reply.meterType.toString(16).toUpperCase()} ${type ? `${type.zh} ${type.en}` : '?'}`,
      },
    };
  } catch (error) {
    return failure(toCjt188Error(error, 'read address'), 'CJT188');
  } finally {
    await transport.close();
  }
}

function failure(coded: EdgeError, prefix: 'DLT645' | 'CJT188'): ReadAddressResult {
  if (coded.code === `${prefix}_CONNECT`) return { kind: 'unavailable', error: coded };
  if (coded.code === `${prefix}_TIMEOUT`) return { kind: 'silent' };
  return { kind: 'garbled', detail: coded.detail ?? coded.message };
}
