export * from './errors.js';
export {
  CJT188_WILDCARD_ADDRESS,
  isCjt188Address,
  normaliseCjt188Address,
  encodeCjt188Address,
  decodeCjt188Address,
  cjt188AddressMatches,
} from './address.js';
export * from './control-code.js';
export {
  CJT188_PREAMBLE_BYTES,
  cjt188Checksum,
  encodeCjt188Frame,
  type Cjt188Frame,
  type Cjt188EncodeOptions,
} from './frame.js';
export * from './frame-decode.js';
export * from './data-identifiers.js';
export * from './metering-data.js';
export * from './messages.js';
export * from './value-parts.js';
export * from './read-plan.js';
