import {
  dlt645AddressMatches,
  decodeDlt645Address,
  encodeDlt645Address,
  DLT645_WILDCARD_ADDRESS,
} from './address.js';
import { hex } from './bcd.js';
import {
  DLT645_CONTROL,
  describeDlt645ErrorByte,
  DLT645_FUNCTION,
  parseDlt645Control,
} from './control-code.js';
import { decodeDlt645DataId, encodeDlt645DataId } from './data-identifiers.js';
import { Dlt645Error } from './errors.js';
import { encodeFrame, type Dlt645Frame, type Dlt645EncodeOptions } from './frame.js';

/** Master → meter: read one data identifier (C = 0x11, L = 4). */
export function encodeReadRequest(address: string, dataId: string, options?: Dlt645EncodeOptions): Buffer {
  return encodeFrame(
    { address, control: DLT645_CONTROL.readData, data: encodeDlt645DataId(dataId) },
    options,
  );
}

/** Master → the one meter on a line: tell me your address (C = 0x13, wildcard address, L = 0). */
export function encodeReadAddressRequest(options?: Dlt645EncodeOptions): Buffer {
  return encodeFrame(
    { address: DLT645_WILDCARD_ADDRESS, control: DLT645_CONTROL.readAddress, data: Buffer.alloc(0) },
    options,
  );
}

export interface Dlt645ReplyOptions extends Dlt645EncodeOptions {
  /** More data follows in follow-up frames: C = 0xB1 instead of 0x91. */
  followUp?: boolean;
}

/** Meter → master: the identifier echoed, then the value's bytes (least significant first). */
export function encodeReadReply(
  address: string,
  dataId: string,
  value: Uint8Array,
  options: Dlt645ReplyOptions = {},
): Buffer {
  const control = options.followUp ? DLT645_CONTROL.readDataReplyFollowUp : DLT645_CONTROL.readDataReply;
  return encodeFrame({ address, control, data: Buffer.concat([encodeDlt645DataId(dataId), value]) }, options);
}

/** Meter → master: an abnormal reply (C = 0xD1) carrying the error byte (see DLT645_ERROR_BITS). */
export function encodeErrorReply(address: string, errorByte: number, options?: Dlt645EncodeOptions): Buffer {
  return encodeFrame(
    { address, control: DLT645_CONTROL.readDataError, data: Buffer.from([errorByte & 0xff]) },
    options,
  );
}

/** Meter → master: its own address, in the address field and again as the data (C = 0x93). */
export function encodeReadAddressReply(address: string, options?: Dlt645EncodeOptions): Buffer {
  return encodeFrame(
    { address, control: DLT645_CONTROL.readAddressReply, data: encodeDlt645Address(address) },
    options,
  );
}

export interface Dlt645ReadRequest {
  address: string;
  dataId: string;
}

/** What a meter makes of a read-data frame addressed to it. */
export function parseReadRequest(frame: Dlt645Frame): Dlt645ReadRequest {
  if (frame.control !== DLT645_CONTROL.readData)
    throw unexpected(`control 0x${hex(frame.control)} is not a read (0x11)`);
  // L is 4, or 5/10 with a block count and a time for load-profile reads; the DI leads either way.
  return { address: frame.address, dataId: decodeDlt645DataId(frame.data) };
}

export type Dlt645ReadReply =
  | { kind: 'data'; address: string; dataId: string; value: Buffer; followUp: boolean }
  | { kind: 'error'; address: string; errorByte: number; reasons: string[] };

/**
 * What the master makes of a reply to a read. With `expected`, a reply from another
 * meter or about another identifier is refused (a late reply to an earlier request).
 */
export function parseReadReply(
  frame: Dlt645Frame,
  expected: { address?: string; dataId?: string } = {},
): Dlt645ReadReply {
  const control = parseDlt645Control(frame.control);
  if (!control.isReply || control.func !== DLT645_FUNCTION.readData) {
    throw unexpected(`control 0x${hex(frame.control)} is not a reply to a read (0x91, 0xB1, 0xD1)`);
  }
  if (expected.address !== undefined && !dlt645AddressMatches(frame.address, expected.address)) {
    throw unexpected(`reply from meter ${frame.address}, asked ${expected.address}`);
  }
  if (control.isAbnormal) {
    const errorByte = frame.data[0];
    if (errorByte === undefined || frame.data.length !== 1) {
      throw new Dlt645Error('DLT645_BAD_LENGTH', `an error reply has 1 data byte, got ${frame.data.length}`);
    }
    return { kind: 'error', address: frame.address, errorByte, reasons: describeDlt645ErrorByte(errorByte) };
  }
  const dataId = decodeDlt645DataId(frame.data);
  if (expected.dataId !== undefined && dataId !== expected.dataId) {
    throw unexpected(`reply is about ${dataId}, asked ${expected.dataId}`);
  }
  return {
    kind: 'data',
    address: frame.address,
    dataId,
    value: frame.data.subarray(4),
    followUp: control.hasFollowUp,
  };
}

/** The address in a 0x93 reply. */
export function parseReadAddressReply(frame: Dlt645Frame): string {
  if (frame.control !== DLT645_CONTROL.readAddressReply) {
    throw unexpected(`control 0x${hex(frame.control)} is not a read-address reply (0x93)`);
  }
  const address = decodeDlt645Address(frame.data);
  if (address !== frame.address) throw unexpected(`data says ${address}, address field ${frame.address}`);
  return address;
}

function unexpected(detail: string): Dlt645Error {
  return new Dlt645Error('DLT645_UNEXPECTED_REPLY', detail);
}
