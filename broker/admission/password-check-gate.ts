import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthErrorCode } from 'aedes';
import { verifyPassword } from '../credentials/password-hash.js';
import type { BrokerLimits } from './admission-config.js';
import { addressKey } from './address-key.js';
import { KeyedTokenBuckets } from './keyed-token-buckets.js';

/** Addresses whose failed logins are tracked at most. */
const MAX_TRACKED_ADDRESSES = 100_000;
/** Usernames whose failed logins are tracked at most (a username is only tracked when it exists). */
const MAX_TRACKED_USERS = 100_000;
/** Username and address pairs remembered as having logged in. */
const MAX_TRUSTED_PAIRS = 10_000;
/** Until a real check has been timed, an unknown user waits this long (scrypt N=2^14 on a small box). */
const INITIAL_CHECK_MS = 50;

export interface LoginRequest {
  remoteAddress: string | undefined;
  username: string;
  password: Buffer | undefined;
  /** The stored hash of `username`; undefined when nobody has that name. */
  hash: string | undefined;
  /** False once the client has hung up: a check still waiting for its turn is skipped. */
  wanted: () => boolean;
}

/** `ok`, or why not: the first two spend a failed login, the last two are the gate's own refusals. */
export type LoginOutcome = 'ok' | LoginRefusal;
export type LoginRefusal = 'unknown_user' | 'bad_password' | 'login_rate_limited' | 'auth_busy';

/**
 * The CONNACK return code (MQTT 3.1.1, 3.2.2.3) a refused login gets: 4, bad username or
 * password; 3, server unavailable, which asks a real client to try again later.
 */
export const LOGIN_REFUSAL_CODES: Record<LoginRefusal, AuthErrorCode> = {
  unknown_user: 4 as AuthErrorCode,
  bad_password: 4 as AuthErrorCode,
  login_rate_limited: 3 as AuthErrorCode,
  auth_busy: 3 as AuthErrorCode,
};

/**
 * Bounds what logins cost, for the central broker and the gateway's LAN broker alike.
 *
 * A login starts only while its failed-login budget has a token left, and a failure
 * spends one (into debt, so a flood waits longer): an address guessing passwords is
 * refused without a check once its budget is spent, while logins that succeed cost
 * nothing however many start at once (a village's devices behind one address after a
 * restart). A username that has logged in from an address has a budget of its own
 * there, so a flood of bad logins from a box does not lock out the services on that
 * same box (all of `npm start` is on 127.0.0.1); guessing that user's password from
 * there still spends it. Failures for an existing username from addresses where it has
 * not logged in also spend a budget per username, so guesses spread over many addresses
 * cost few checks; the device that owns the name, once logged in from its address, is
 * not locked out by them (after a broker restart it competes for that budget until its
 * first login succeeds, and retries on "server unavailable").
 *
 * Password checks (scrypt: 16 MiB, tens of ms on libuv's pool) run at most
 * `concurrentPasswordChecks` at once with a bounded queue behind them; a login that
 * finds the queue full is refused at once. An unknown username costs no check: it waits
 * as long as one takes (measured), then fails like a wrong password.
 */
export class PasswordCheckGate {
  private readonly failures: KeyedTokenBuckets;
  private readonly userFailures: KeyedTokenBuckets;
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
    this.userFailures = new KeyedTokenBuckets({
      capacity: limits.failedLoginsPerMinutePerUser,
      refillPerSecond: limits.failedLoginsPerMinutePerUser / 60,
      maxKeys: MAX_TRACKED_USERS,
      ...(now ? { now } : {}),
    });
  }

  async login(request: LoginRequest): Promise<LoginOutcome> {
    const address = addressKey(request.remoteAddress);
    const trustKey = `${request.username}@${address}`;
    const trusted = this.trusted.has(trustKey);
    const budget = trusted ? trustKey : address;
    // An existing username guessed from where it never logged in also spends the username's budget.
    const userBudget = !trusted && request.hash !== undefined ? request.username : undefined;
    if (!this.failures.has(budget)) return 'login_rate_limited';
    if (userBudget !== undefined && !this.userFailures.has(userBudget)) return 'login_rate_limited';
    const { hash } = request;
    let outcome: LoginOutcome;
    if (hash === undefined) {
      await sleep(this.checkMs);
      outcome = 'unknown_user';
    } else {
      const secret = request.password?.toString('utf8') ?? '';
      const matches = await this.check(() => verifyPassword(secret, hash), request.wanted);
      outcome = matches === undefined ? 'auth_busy' : matches ? 'ok' : 'bad_password';
    }
    if (outcome === 'unknown_user' || outcome === 'bad_password') {
      this.failures.charge(budget);
      if (userBudget !== undefined) this.userFailures.charge(userBudget);
    }
    if (outcome === 'ok') this.trust(trustKey);
    return outcome;
  }

  private trust(key: string): void {
    this.trusted.delete(key);
    this.trusted.add(key);
    if (this.trusted.size > MAX_TRUSTED_PAIRS) {
      const oldest = this.trusted.values().next().value;
      if (oldest !== undefined) this.trusted.delete(oldest);
    }
  }

  /**
   * Runs a password check once a slot is free; undefined when too many are waiting
   * already, or when the login is no longer `wanted` by then.
   */
  private async check(verify: () => Promise<boolean>, wanted: () => boolean): Promise<boolean | undefined> {
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
}
