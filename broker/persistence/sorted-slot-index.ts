/**
 * For each key, the slots (queue positions, increasing over time) holding it, kept
 * sorted so the earliest is at the front. Keys may be undefined: aedes looks packets
 * up by an unassigned message id too.
 */
export class SortedSlotIndex<K> {
  private readonly slotsByKey = new Map<K, number[]>();

  add(key: K, slot: number): void {
    const slots = this.slotsByKey.get(key);
    if (slots === undefined) {
      this.slotsByKey.set(key, [slot]);
      return;
    }
    // Slots are almost always added in increasing order: append without searching.
    const last = slots[slots.length - 1];
    if (last === undefined || last < slot) slots.push(slot);
    else slots.splice(lowerBound(slots, slot), 0, slot);
  }

  remove(key: K, slot: number): void {
    const slots = this.slotsByKey.get(key);
    if (slots === undefined) return;
    const at = slots[0] === slot ? 0 : lowerBound(slots, slot);
    if (slots[at] !== slot) return;
    if (slots.length === 1) this.slotsByKey.delete(key);
    else if (at === 0) slots.shift();
    else slots.splice(at, 1);
  }

  /** The earliest slot holding `key`, or undefined. */
  first(key: K): number | undefined {
    return this.slotsByKey.get(key)?.[0];
  }

  /** The earliest slot holding `key` that `accept` agrees to, or undefined. */
  firstWhere(key: K, accept: (slot: number) => boolean): number | undefined {
    const slots = this.slotsByKey.get(key);
    if (slots === undefined) return undefined;
    for (const slot of slots) if (accept(slot)) return slot;
    return undefined;
  }
}

function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as number) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
