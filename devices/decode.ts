import type { ModbusProfile, RegisterTable } from './profile-schema.js';
import type { ReadBlock } from './read-plan.js';
import { decodeWords, encodeWords } from './register-codec.js';
import { protocolAddress, resolveRegisters, type ResolvedRegister } from './register-map.js';

/** Register words by table and address, as read from (or served by) a meter. */
export class RegisterImage {
  /**
   * The blocks a poll read, looked up where they are (a reading holds 2–3 blocks of ~50
   * words: copying each word into a map was most of what a poll allocated), and words set
   * one by one, which win over the blocks.
   */
  private blocks: ReadonlyArray<{ block: ReadBlock; words: readonly number[] }> = [];
  /** Made on the first `set` only: a poll's image has blocks and no words set. */
  private words: Map<number, number> | undefined;

  /** Looks the words up in `blocks` as they are (not copied): the caller leaves them as they are. */
  static fromBlocks(blocks: ReadonlyArray<{ block: ReadBlock; words: readonly number[] }>): RegisterImage {
    const image = new RegisterImage();
    image.blocks = blocks;
    return image;
  }

  set(table: RegisterTable, address: number, word: number): void {
    (this.words ??= new Map()).set(key(table, address), word & 0xffff);
  }

  get(table: RegisterTable, address: number): number | undefined {
    const set = this.words?.get(key(table, address));
    if (set !== undefined) return set;
    // The last block read wins where blocks overlap.
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      const { block, words } = this.blocks[i] as RegisterImage['blocks'][number];
      const word = block.table === table ? words[address - block.start] : undefined;
      if (word !== undefined) return word & 0xffff;
    }
    return undefined;
  }

  entries(): Array<{ table: RegisterTable; address: number; word: number }> {
    const all = new Map<number, number>();
    for (const { block, words } of this.blocks) {
      words.forEach((word, i) => all.set(key(block.table, block.start + i), word & 0xffff));
    }
    for (const [at, word] of this.words ?? []) all.set(at, word);
    return [...all].map(([at, word]) => ({
      table: at >= INPUT_TABLE_BASE ? 'input' : 'holding',
      address: at % INPUT_TABLE_BASE,
      word,
    }));
  }
}

/** Modbus addresses are 16 bits: input registers are keyed above every holding register. */
const INPUT_TABLE_BASE = 0x10000;

function key(table: RegisterTable, address: number): number {
  return table === 'input' ? INPUT_TABLE_BASE + address : address;
}

export interface FieldError {
  field: string;
  reason: string;
}

export interface DecodedReading {
  values: Record<string, number>;
  errors: FieldError[];
}

/**
 * Decodes every field of a profile from the words read. A field whose words are
 * missing, that decodes to NaN/Infinity, or falls outside its valid range is left
 * out and reported, so one bad register never poisons the rest of the reading.
 */
export function decodeReading(profile: ModbusProfile, image: RegisterImage): DecodedReading {
  const values: Record<string, number> = {};
  const errors: FieldError[] = [];
  for (const register of resolveRegisters(profile)) {
    const name = register.field.field;
    const words = readWords(image, register);
    if (words === undefined) {
      errors.push({ field: name, reason: `register ${register.address} not read` });
      continue;
    }
    let value = decodeWords(words, register.layout);
    const shift = register.field.decimalShift;
    if (shift) {
      const decimals = auxiliaryWord(image, register.table, profile, shift.decimalsAt, false);
      const offset = auxiliaryWord(image, register.table, profile, shift.offsetAt, true);
      if (decimals === undefined || offset === undefined || decimals > 6) {
        errors.push({
          field: name,
          reason: `decimal places register unreadable or out of range (${decimals})`,
        });
        continue;
      }
      let factor = 1;
      if (shift.unitCodeAt !== undefined) {
        const code = auxiliaryWord(image, register.table, profile, shift.unitCodeAt, false);
        const known = code === undefined ? undefined : shift.unitFactors?.[String(code)];
        if (known === undefined) {
          errors.push({ field: name, reason: `unknown unit code ${code}` });
          continue;
        }
        factor = known;
      }
      value = ((value + offset) / 10 ** decimals) * factor;
    }
    value *= register.field.scale;
    if (!Number.isFinite(value)) {
      errors.push({ field: name, reason: 'not a finite number (NaN or Infinity on the wire)' });
      continue;
    }
    const range = register.field.validRange;
    if (range && (value < range[0] || value > range[1])) {
      errors.push({ field: name, reason: `value ${value} outside valid range [${range[0]}, ${range[1]}]` });
      continue;
    }
    values[name] = roundForType(value, register.field.type === 'float32');
  }
  return { values, errors };
}

/**
 * A field's words, in one of two arrays reused by every decode (each runs to the end
 * synchronously), or undefined if one was not read: a poll decodes every field of a
 * meter, and an array a field was garbage of every poll.
 */
function readWords(image: RegisterImage, register: ResolvedRegister): readonly number[] | undefined {
  const words = register.width === 1 ? ONE_WORD : TWO_WORDS;
  for (let i = 0; i < register.width; i++) {
    const word = image.get(register.table, register.address + i);
    if (word === undefined) return undefined;
    words[i] = word;
  }
  return words;
}

const ONE_WORD = [0];
const TWO_WORDS = [0, 0];

/** A decimal-shift field's decimals, offset or unit code register; a missing offset reads 0. */
function auxiliaryWord(
  image: RegisterImage,
  table: RegisterTable,
  profile: ModbusProfile,
  at: number | undefined,
  signed: boolean,
): number | undefined {
  if (at === undefined) return signed ? 0 : undefined;
  const raw = image.get(table, protocolAddress(profile, at));
  if (raw === undefined) return undefined;
  return signed && raw >= 0x8000 ? raw - 0x10000 : raw;
}

/** float32 carries ~7 significant digits; rounding keeps 229.8 from arriving as 229.8000030517578. */
function roundForType(value: number, isFloat32: boolean): number {
  return isFloat32 ? Number(value.toPrecision(7)) : Number(value.toPrecision(12));
}

/** Per-profile choices a simulated meter makes for decimal-shift registers. */
export interface EncodeOptions {
  decimals?: number;
  unitCode?: number;
  offset?: number;
}

/**
 * The register image a real meter of this profile serves for `values`: the inverse
 * of {@link decodeReading}, used by the simulator. Decimal-shift fields get their
 * decimals, unit code and offset registers filled too.
 */
export function encodeReading(
  profile: ModbusProfile,
  values: Readonly<Record<string, number>>,
  options: EncodeOptions = {},
): RegisterImage {
  const image = new RegisterImage();
  for (const register of resolveRegisters(profile)) {
    const value = values[register.field.field];
    if (value === undefined) continue;
    let raw = value / register.field.scale;
    const shift = register.field.decimalShift;
    if (shift) {
      const decimals = options.decimals ?? 3;
      const offset = options.offset ?? 0;
      let factor = 1;
      if (shift.unitCodeAt !== undefined) {
        const factors = Object.entries(shift.unitFactors ?? {});
        const chosen = factors.find(([code]) => Number(code) === options.unitCode) ?? factors[0];
        if (!chosen)
          throw new Error(`profile ${profile.id} field ${register.field.field} has no unit factors`);
        factor = chosen[1];
        image.set(register.table, protocolAddress(profile, shift.unitCodeAt), Number(chosen[0]));
      }
      raw = (raw / factor) * 10 ** decimals - offset;
      image.set(register.table, protocolAddress(profile, shift.decimalsAt), decimals);
      if (shift.offsetAt !== undefined) {
        image.set(register.table, protocolAddress(profile, shift.offsetAt), offset & 0xffff);
      }
    }
    encodeWords(raw, register.layout).forEach((word, i) =>
      image.set(register.table, register.address + i, word),
    );
  }
  return image;
}
