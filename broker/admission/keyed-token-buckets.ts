/** How often full buckets are forgotten (on the next take after this long). */
const SWEEP_INTERVAL_MS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

export interface KeyedTokenBucketsOptions {
  /** Tokens a key starts with and can save up. */
  capacity: number;
  refillPerSecond: number;
  /** Keys tracked at most; a new key beyond this is refused until full buckets are swept. */
  maxKeys: number;
  now?: () => number;
}

/**
 * One token bucket per key (a client address), decided synchronously so a socket can
 * be dropped as it is accepted. A bucket that has refilled holds no information, so it
 * is forgotten by the next sweep (every 10 s at most): memory follows the keys seen
 * lately, up to `maxKeys`.
 */
export class KeyedTokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private lastSweep: number;

  constructor(private readonly options: KeyedTokenBucketsOptions) {
    this.now = options.now ?? Date.now;
    this.lastSweep = this.now();
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Takes a token for `key`; false when its bucket is empty (or too many keys are tracked). */
  take(key: string): boolean {
    if (this.now() - this.lastSweep >= SWEEP_INTERVAL_MS) this.sweep();
    const bucket = this.current(key);
    if (!bucket || bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Whether `key` has a token left, without taking it (a key not seen lately has a full bucket). */
  has(key: string): boolean {
    const bucket = this.buckets.get(key);
    return bucket === undefined || this.refilled(bucket) >= 1;
  }

  /**
   * Takes a token for something that already happened (a failed login), into debt down
   * to minus the capacity: a key that spent far more than its budget waits longer.
   */
  charge(key: string): void {
    if (this.now() - this.lastSweep >= SWEEP_INTERVAL_MS) this.sweep();
    const bucket = this.current(key);
    if (bucket) bucket.tokens = Math.max(-this.options.capacity, bucket.tokens - 1);
  }

  /** Forgets buckets that have refilled. */
  sweep(): void {
    this.lastSweep = this.now();
    for (const [key, bucket] of this.buckets) {
      if (this.refilled(bucket) >= this.options.capacity) this.buckets.delete(key);
    }
  }

  private current(key: string): Bucket | undefined {
    const bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = this.refilled(bucket);
      bucket.at = this.now();
      return bucket;
    }
    if (this.buckets.size >= this.options.maxKeys) return undefined;
    const fresh = { tokens: this.options.capacity, at: this.now() };
    this.buckets.set(key, fresh);
    return fresh;
  }

  private refilled(bucket: Bucket): number {
    const seconds = (this.now() - bucket.at) / 1000;
    return Math.min(this.options.capacity, bucket.tokens + seconds * this.options.refillPerSecond);
  }
}
