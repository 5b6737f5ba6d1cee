export * from './errors.js';
export { DATA_OFFSET as DLT645_DATA_OFFSET } from './bcd.js';
export {
  DLT645_WILDCARD_ADDRESS,
  DLT645_BROADCAST_ADDRESS,
  isDlt645Address,
  normaliseDlt645Address,
  encodeDlt645Address,
  decodeDlt645Address,
  dlt645AddressMatches,
  isDlt645Wildcard,
} from './address.js';
export * from './control-code.js';
export {
  DLT645_PREAMBLE_BYTES,
  DLT645_MAX_DATA_BYTES,
  dlt645Checksum,
  encodeFrame,
  type Dlt645Frame,
  type Dlt645EncodeOptions,
} from './frame.js';
export { decodeFrame, scanFrame, type Dlt645FrameScan } from './frame-decode.js';
export * from './frame-reader.js';
export * from './value-format.js';
export * from './value-codec.js';
export * from './data-identifiers.js';
export * from './messages.js';
export * from './read-plan.js';
