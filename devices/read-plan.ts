import type { ModbusProfile, RegisterTable } from './profile-schema.js';
import { auxiliaryRegisters, resolveRegisters } from './register-map.js';

/** One Modbus read transaction: `count` registers from `start` in `table`. */
export interface ReadBlock {
  table: RegisterTable;
  start: number;
  count: number;
}

/**
 * Plans the fewest Modbus transactions that cover every register a profile needs:
 * registers in one table are merged into one read while the span stays within the
 * profile's per-read limit and the unused gap between them within `maxGap`.
 */
export function planReads(profile: ModbusProfile): ReadBlock[] {
  const spans: Array<{ table: RegisterTable; start: number; end: number }> = [];
  for (const register of resolveRegisters(profile)) {
    spans.push({ table: register.table, start: register.address, end: register.address + register.width });
  }
  for (const aux of auxiliaryRegisters(profile)) {
    spans.push({ table: aux.table, start: aux.address, end: aux.address + 1 });
  }
  const blocks: ReadBlock[] = [];
  for (const table of ['holding', 'input'] as const) {
    const sorted = spans.filter((s) => s.table === table).sort((a, b) => a.start - b.start);
    let current: { start: number; end: number } | undefined;
    for (const span of sorted) {
      if (!current) {
        current = { ...span };
        continue;
      }
      const gap = span.start - current.end;
      const mergedEnd = Math.max(current.end, span.end);
      if (gap <= profile.maxGap && mergedEnd - current.start <= profile.maxRegistersPerRead) {
        current.end = mergedEnd;
      } else {
        blocks.push({ table, start: current.start, count: current.end - current.start });
        current = { ...span };
      }
    }
    if (current) blocks.push({ table, start: current.start, count: current.end - current.start });
  }
  return blocks;
}
