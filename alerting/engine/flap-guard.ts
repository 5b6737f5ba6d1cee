/**
 * Counts state changes (fire, resolve) per alert key; a key that changed too often
 * in the window is flapping and keeps firing instead of resolving until it calms down.
 */
export class FlapGuard {
  private readonly changes = new Map<string, number[]>();

  constructor(
    private readonly maxChanges: number,
    private readonly windowMs: number,
  ) {}

  record(key: string, at: number): void {
    const list = this.recent(key, at);
    list.push(at);
    this.changes.set(key, list);
  }

  /** Whether one more change now would exceed the limit. */
  isFlapping(key: string, at: number): boolean {
    if (this.maxChanges <= 0) return false;
    return this.recent(key, at).length >= this.maxChanges;
  }

  private recent(key: string, at: number): number[] {
    const list = (this.changes.get(key) ?? []).filter((t) => at - t < this.windowMs);
    if (list.length === 0) this.changes.delete(key);
    else this.changes.set(key, list);
    return list;
  }
}
