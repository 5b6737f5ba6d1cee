import type { ModbusProfile, RegisterField, RegisterTable } from './profile-schema.js';
import { REGISTER_WIDTH } from './profile-schema.js';
import type { WordLayout } from './register-codec.js';

/** One register a profile touches, resolved to its protocol address and layout. */
export interface ResolvedRegister {
  field: RegisterField;
  table: RegisterTable;
  /** 0-based protocol address of the first word. */
  address: number;
  width: 1 | 2;
  layout: WordLayout;
}

/** An auxiliary single-word register (decimal places, offset, unit code) read to decode another field. */
export interface AuxiliaryRegister {
  table: RegisterTable;
  address: number;
  signed: boolean;
}

export function protocolAddress(profile: ModbusProfile, registerNumber: number): number {
  return profile.numbering === 'one-based' ? registerNumber - 1 : registerNumber;
}

/** Resolved once per profile: every reading of a meter decodes through them. */
const resolved = new WeakMap<ModbusProfile, readonly ResolvedRegister[]>();

export function resolveRegisters(profile: ModbusProfile): readonly ResolvedRegister[] {
  let registers = resolved.get(profile);
  if (registers === undefined) {
    registers = resolveEach(profile);
    resolved.set(profile, registers);
  }
  return registers;
}

function resolveEach(profile: ModbusProfile): ResolvedRegister[] {
  return profile.registers.map((field) => ({
    field,
    table: field.table ?? profile.defaultTable,
    address: protocolAddress(profile, field.at),
    width: REGISTER_WIDTH[field.type],
    layout: {
      type: field.type,
      wordOrder: field.wordOrder ?? profile.defaultWordOrder,
      byteOrder: field.byteOrder ?? profile.defaultByteOrder,
    },
  }));
}

export function auxiliaryRegisters(profile: ModbusProfile): AuxiliaryRegister[] {
  const result: AuxiliaryRegister[] = [];
  for (const field of profile.registers) {
    const shift = field.decimalShift;
    if (!shift) continue;
    const table = field.table ?? profile.defaultTable;
    result.push({ table, address: protocolAddress(profile, shift.decimalsAt), signed: false });
    if (shift.offsetAt !== undefined)
      result.push({ table, address: protocolAddress(profile, shift.offsetAt), signed: true });
    if (shift.unitCodeAt !== undefined) {
      result.push({ table, address: protocolAddress(profile, shift.unitCodeAt), signed: false });
    }
  }
  return result;
}

/** Every (table, address) word a profile occupies, for overlap checks and read planning. */
export function occupiedWords(
  profile: ModbusProfile,
): Array<{ table: RegisterTable; address: number; owner: string }> {
  const words: Array<{ table: RegisterTable; address: number; owner: string }> = [];
  for (const register of resolveRegisters(profile)) {
    for (let i = 0; i < register.width; i++) {
      words.push({ table: register.table, address: register.address + i, owner: register.field.field });
    }
  }
  return words;
}
