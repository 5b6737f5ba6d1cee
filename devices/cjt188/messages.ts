import { hex } from '../bcd.js';
import {
  cjt188AddressMatches,
  CJT188_ADDRESS_BYTES,
  CJT188_WILDCARD_ADDRESS,
  decodeCjt188Address,
  encodeCjt188Address,
} from './address.js';
import {
  CJT188_ANY_METER_TYPE,
  CJT188_FUNCTION,
  cjt188ReplyControl,
  parseCjt188Control,
} from './control-code.js';
import {
  CJT188_DATA_IDS,
  decodeCjt188DataId,
  encodeCjt188DataId,
  type Cjt188Edition,
} from './data-identifiers.js';
import { Cjt188Error } from './errors.js';
import { encodeCjt188Frame, type Cjt188EncodeOptions, type Cjt188Frame } from './frame.js';
import { decodeCjt188Status, type Cjt188Status } from './metering-data.js';

/**
 * Every data field of a request and a normal reply starts DI (2 bytes) and SER, a
 * sequence number the meter echoes. A request or reply travels with the profile's
 * edition (which DI byte goes first) and wake-up bytes.
 */
export interface Cjt188MessageOptions extends Cjt188EncodeOptions {
  edition?: Cjt188Edition;
  /** SER, 0–255; 0 unless told. */
  ser?: number;
}

const editionOf = (options: Cjt188MessageOptions) => options.edition ?? '2004';

function leader(dataId: string, options: Cjt188MessageOptions): Buffer {
  return Buffer.concat([
    encodeCjt188DataId(dataId, editionOf(options)),
    Buffer.from([(options.ser ?? 0) & 0xff]),
  ]);
}

/** Master → meter: read one data identifier (C = 0x01, L = 3). */
export function encodeCjt188ReadRequest(
  meterType: number,
  address: string,
  dataId: string,
  options: Cjt188MessageOptions = {},
): Buffer {
  return encodeCjt188Frame(
    { meterType, address, control: CJT188_FUNCTION.readData, data: leader(dataId, options) },
    options,
  );
}

/** Meter → master: DI and SER echoed, then the identifier's data (C = 0x81). */
export function encodeCjt188ReadReply(
  meterType: number,
  address: string,
  dataId: string,
  payload: Uint8Array,
  options: Cjt188MessageOptions = {},
): Buffer {
  const control = cjt188ReplyControl(CJT188_FUNCTION.readData);
  return encodeCjt188Frame(
    { meterType, address, control, data: Buffer.concat([leader(dataId, options), payload]) },
    options,
  );
}

/** Meter → master: an abnormal reply to function `func` (C = 0xC0 | func), carrying SER and ST. */
export function encodeCjt188ErrorReply(
  meterType: number,
  address: string,
  func: number,
  statusWord: number,
  options: Cjt188MessageOptions = {},
): Buffer {
  const data = Buffer.from([(options.ser ?? 0) & 0xff, statusWord & 0xff, (statusWord >> 8) & 0xff]);
  return encodeCjt188Frame({ meterType, address, control: cjt188ReplyControl(func, true), data }, options);
}

/** Master → the one meter on a line: tell me your type and address (T = AA, wildcard address, C = 0x03). */
export function encodeCjt188ReadAddressRequest(options: Cjt188MessageOptions = {}): Buffer {
  return encodeCjt188Frame(
    {
      meterType: CJT188_ANY_METER_TYPE,
      address: CJT188_WILDCARD_ADDRESS,
      control: CJT188_FUNCTION.readAddress,
      data: leader(CJT188_DATA_IDS.readAddress, options),
    },
    options,
  );
}

/** Meter → master: its type and address in the header (C = 0x83, DI and SER echoed). */
export function encodeCjt188ReadAddressReply(
  meterType: number,
  address: string,
  options: Cjt188MessageOptions = {},
): Buffer {
  return encodeCjt188Frame(
    {
      meterType,
      address,
      control: cjt188ReplyControl(CJT188_FUNCTION.readAddress),
      data: leader(CJT188_DATA_IDS.readAddress, options),
    },
    options,
  );
}

/** Master → meter at `address`: take `newAddress` (C = 0x15, DI A018, SER, the 7 new address bytes). */
export function encodeCjt188WriteAddressRequest(
  meterType: number,
  address: string,
  newAddress: string,
  options: Cjt188MessageOptions = {},
): Buffer {
  const data = Buffer.concat([
    leader(CJT188_DATA_IDS.writeAddress, options),
    encodeCjt188Address(newAddress),
  ]);
  return encodeCjt188Frame({ meterType, address, control: CJT188_FUNCTION.writeAddress, data }, options);
}

/** Meter → master: address written (C = 0x95), sent from the new address. */
export function encodeCjt188WriteAddressReply(
  meterType: number,
  newAddress: string,
  options: Cjt188MessageOptions = {},
): Buffer {
  return encodeCjt188Frame(
    {
      meterType,
      address: newAddress,
      control: cjt188ReplyControl(CJT188_FUNCTION.writeAddress),
      data: leader(CJT188_DATA_IDS.writeAddress, options),
    },
    options,
  );
}

export interface Cjt188Request {
  func: number;
  dataId: string;
  ser: number;
  /** What follows DI and SER (the new address of a write-address request). */
  body: Buffer;
}

/** What a meter makes of a request addressed to it. */
export function parseCjt188Request(frame: Cjt188Frame, edition: Cjt188Edition = '2004'): Cjt188Request {
  const control = parseCjt188Control(frame.control);
  if (control.isReply) throw unexpected(`control 0x${hex(frame.control)} is a reply, not a request`);
  if (frame.data.length < 3) {
    throw new Cjt188Error(
      'CJT188_BAD_LENGTH',
      `a request carries DI and SER (3 bytes), got ${frame.data.length}`,
    );
  }
  return {
    func: control.func,
    dataId: decodeCjt188DataId(frame.data, edition),
    ser: frame.data[2] as number,
    body: frame.data.subarray(3),
  };
}

/** The new address a write-address request carries. */
export function parseCjt188NewAddress(request: Cjt188Request): string {
  if (request.dataId !== CJT188_DATA_IDS.writeAddress || request.body.length !== CJT188_ADDRESS_BYTES) {
    throw unexpected(`not a write-address request (DI ${request.dataId}, ${request.body.length} bytes)`);
  }
  return decodeCjt188Address(request.body);
}

export type Cjt188Reply =
  | { kind: 'data'; meterType: number; address: string; dataId: string; ser: number; payload: Buffer }
  | { kind: 'error'; meterType: number; address: string; ser: number; status: Cjt188Status };

export interface Cjt188ExpectedReply {
  func: number;
  address?: string;
  dataId?: string;
  edition?: Cjt188Edition;
}

/**
 * What the master makes of a reply. A reply to another function, from another meter
 * or about another identifier is refused (a late reply to an earlier request).
 */
export function parseCjt188Reply(frame: Cjt188Frame, expected: Cjt188ExpectedReply): Cjt188Reply {
  const control = parseCjt188Control(frame.control);
  if (!control.isReply || control.func !== expected.func) {
    const wanted = hex(cjt188ReplyControl(expected.func));
    throw unexpected(
      `control 0x${hex(frame.control)} is not a reply to function 0x${hex(expected.func)} (0x${wanted})`,
    );
  }
  if (expected.address !== undefined && !cjt188AddressMatches(frame.address, expected.address)) {
    throw unexpected(`reply from meter ${frame.address}, asked ${expected.address}`);
  }
  const { meterType, address } = frame;
  if (control.isAbnormal) {
    if (frame.data.length !== 3) {
      throw new Cjt188Error(
        'CJT188_BAD_LENGTH',
        `an error reply has SER and ST (3 bytes), got ${frame.data.length}`,
      );
    }
    const word = (frame.data[1] as number) | ((frame.data[2] as number) << 8);
    return {
      kind: 'error',
      meterType,
      address,
      ser: frame.data[0] as number,
      status: decodeCjt188Status(word),
    };
  }
  if (frame.data.length < 3) {
    throw new Cjt188Error(
      'CJT188_BAD_LENGTH',
      `a reply carries DI and SER (3 bytes), got ${frame.data.length}`,
    );
  }
  const dataId = decodeCjt188DataId(frame.data, expected.edition ?? '2004');
  if (expected.dataId !== undefined && dataId !== expected.dataId) {
    throw unexpected(`reply is about ${dataId}, asked ${expected.dataId}`);
  }
  return {
    kind: 'data',
    meterType,
    address,
    dataId,
    ser: frame.data[2] as number,
    payload: frame.data.subarray(3),
  };
}

function unexpected(detail: string): Cjt188Error {
  return new Cjt188Error('CJT188_UNEXPECTED_REPLY', detail);
}
