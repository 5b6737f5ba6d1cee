import { setTimeout as sleep } from 'node:timers/promises';
import type { BrokerLimits } from './admission-config.js';
import { addressKey } from './address-key.js';
import { KeyedTokenBuckets } from './keyed-token-buckets.js';

/** Addresses whose failed logins are tracked at most. */
const MAX_TRACKED_ADDRESSES = 100_000;
/** Username and address pairs remembered as having logged in. */
const MAX_TRUSTED_PAIRS = 10_000;
/** Until a real check has been timed, an unknown user waits this long (scrypt N=2^14 on a small box). */
const INITIAL_CHECK_MS = 50;

/** A login under way: which failed-login budget it counts against. */
export interface LoginAttempt {
  readonly budget: string;
  readonly trustKey: string;
}

/**
 * Bounds what logins cost. Each login first takes a token from a failed-login budget
 * (given back when the login succeeds), so an address guessing passwords is refused
 * without a check once its budget is spent. A username that has logged in from an
 * address before has a budget of its own there: a flood of bad logins from a box does
 * not lock out the services on that same box (every service of `npm start` is on
 * 127.0.0.1), while guessing that user's password from there still spends one.
 *
 * Password checks run at most `concurrentPasswordChecks` at once with a bounded queue
 * behind them; a login that finds the queue full is refused at once. An unknown
 * username costs no check at all: it waits as long as a check takes (measured), so it
 * answers alike without spending 16 MiB and a pool thread on a random name.
 */
export class PasswordCheckGate {
  private readonly failures: KeyedTokenBuckets;
  private readonly trusted = new Set<string>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private checkMs = INITIAL_CHECK_MS;

  constructor(
    private readonly limits: BrokerLimits,
    now?: () => number,
  ) {
    this.failures = new KeyedTokenBuckets({
      capacity: limits.failedLoginsPerMinutePerAddress,
      refillPerSecond: limits.failedLoginsPerMinutePerAddress / 60,
      maxKeys: MAX_TRACKED_ADDRESSES,
      ...(now ? { now } : {}),
    });
  }

  /** Starts a login; undefined when its budget of failed logins is spent. */
  begin(remoteAddress: string | undefined, username: string): LoginAttempt | undefined {
    const address = addressKey(remoteAddress);
    const trustKey = `${username}@${address}`;
    const budget = this.trusted.has(trustKey) ? trustKey : address;
    return this.failures.take(budget) ? { budget, trustKey } : undefined;
  }

  /** The login succeeded: it does not count, and its username is trusted from that address. */
  succeeded(login: LoginAttempt): void {
    this.failures.refund(login.budget);
    this.trusted.delete(login.trustKey);
    this.trusted.add(login.trustKey);
    if (this.trusted.size > MAX_TRUSTED_PAIRS) {
      const oldest = this.trusted.values().next().value;
      if (oldest !== undefined) this.trusted.delete(oldest);
    }
  }

  /** The login was never checked (the queue was full): it does not count. */
  forgive(login: LoginAttempt): void {
    this.failures.refund(login.budget);
  }

  /**
   * Runs a password check once a slot is free; undefined when too many are waiting
   * already, or when the login is no longer `wanted` by then (its client hung up).
   */
  async check(
    verify: () => Promise<boolean>,
    wanted: () => boolean = () => true,
  ): Promise<boolean | undefined> {
    if (this.running < this.limits.concurrentPasswordChecks) {
      this.running += 1;
    } else {
      if (this.waiting.length >= this.limits.waitingPasswordChecks) return undefined;
      // The slot is handed over by the check that frees it.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      if (!wanted()) return undefined;
      const started = performance.now();
      const matches = await verify();
      this.checkMs = 0.8 * this.checkMs + 0.2 * (performance.now() - started);
      return matches;
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }

  /** What an unknown username costs instead of a check: the time of one. */
  async wait(): Promise<void> {
    await sleep(this.checkMs);
  }
}
