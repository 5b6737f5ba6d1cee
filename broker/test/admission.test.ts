import { describe, expect, it } from 'vitest';
import { brokerLimitsSchema } from '../admission/admission-config.js';
import { addressKey } from '../admission/address-key.js';
import { ConnectionAdmission } from '../admission/connection-admission.js';
import { KeyedTokenBuckets } from '../admission/keyed-token-buckets.js';
import { PasswordCheckGate } from '../admission/password-check-gate.js';

const clock = () => {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

describe('addressKey', () => {
  it.each([
    ['192.0.2.7', '192.0.2.7'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2:aaaa::1', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:bbbb:cccc:dddd:eeee', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    [undefined, 'unknown'],
  ])('%s counts as %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});

describe('KeyedTokenBuckets', () => {
  it('gives a key its capacity, refills it over time, and forgets full buckets', () => {
    const time = clock();
    const buckets = new KeyedTokenBuckets({ capacity: 3, refillPerSecond: 1, maxKeys: 10, now: time.now });
    expect([1, 2, 3, 4].map(() => buckets.take('a'))).toEqual([true, true, true, false]);
    expect(buckets.take('b')).toBe(true);
    time.advance(1_000);
    expect([buckets.take('a'), buckets.take('a')]).toEqual([true, false]);
    buckets.refund('a');
    expect(buckets.take('a')).toBe(true);
    time.advance(10_000);
    buckets.take('c');
    expect(buckets.size).toBe(1);
  });

  it('refuses new keys beyond its bound until full buckets are swept', () => {
    const time = clock();
    const buckets = new KeyedTokenBuckets({ capacity: 1, refillPerSecond: 1, maxKeys: 2, now: time.now });
    expect([buckets.take('a'), buckets.take('b'), buckets.take('c')]).toEqual([true, true, false]);
    time.advance(10_000);
    expect(buckets.take('c')).toBe(true);
  });
});

describe('ConnectionAdmission', () => {
  it('caps sockets per address and in total, and gives a slot back on release', () => {
    const admission = new ConnectionAdmission(
      brokerLimitsSchema.parse({
        maxConnections: 3,
        maxConnectionsPerAddress: 2,
        connectsPerSecondPerAddress: 100,
      }),
    );
    const a1 = admission.admit('10.0.0.1');
    const a2 = admission.admit('10.0.0.1');
    expect(admission.admit('10.0.0.1')).toEqual({ ok: false, reason: 'too_many_from_address' });
    const b1 = admission.admit('10.0.0.2');
    expect(admission.admit('10.0.0.3')).toEqual({ ok: false, reason: 'too_many_connections' });
    if (!a1.ok || !a2.ok || !b1.ok) throw new Error('first three must be admitted');
    a1.release();
    a1.release();
    expect(admission.admit('10.0.0.1').ok).toBe(true);
    expect(admission.admit('10.0.0.3')).toEqual({ ok: false, reason: 'too_many_connections' });
  });

  it('limits the connect rate per address with five seconds of burst', () => {
    const time = clock();
    const admission = new ConnectionAdmission(
      brokerLimitsSchema.parse({ connectsPerSecondPerAddress: 2 }),
      time.now,
    );
    const outcomes = Array.from({ length: 12 }, () => admission.admit('10.0.0.1'));
    for (const outcome of outcomes) if (outcome.ok) outcome.release();
    expect(outcomes.filter((o) => o.ok)).toHaveLength(10);
    expect(outcomes.at(-1)).toEqual({ ok: false, reason: 'connect_rate' });
    time.advance(500);
    expect(admission.admit('10.0.0.1').ok).toBe(true);
  });
});

describe('PasswordCheckGate', () => {
  it('runs at most the configured checks at once and refuses beyond the queue', async () => {
    const gate = new PasswordCheckGate(
      brokerLimitsSchema.parse({ concurrentPasswordChecks: 2, waitingPasswordChecks: 1 }),
    );
    let running = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const check = () =>
      gate.check(
        () =>
          new Promise<boolean>((resolve) => {
            running++;
            most = Math.max(most, running);
            releases.push(() => {
              running--;
              resolve(true);
            });
          }),
      );
    const results = [check(), check(), check(), check()];
    expect(await results[3]).toBeUndefined();
    // Two run, one waits; as each finishes the waiting one takes its slot.
    expect(releases).toHaveLength(2);
    releases.shift()?.();
    await results[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(releases).toHaveLength(2);
    for (const release of releases.splice(0)) release();
    expect(await Promise.all(results.slice(0, 3))).toEqual([true, true, true]);
    expect(most).toBe(2);
  });

  it('skips a check whose login is no longer wanted once its turn comes', async () => {
    const gate = new PasswordCheckGate(brokerLimitsSchema.parse({ concurrentPasswordChecks: 1 }));
    let release = () => undefined as void;
    const first = gate.check(() => new Promise<boolean>((resolve) => (release = () => resolve(true))));
    let wanted = true;
    let verified = false;
    const second = gate.check(
      async () => (verified = true),
      () => wanted,
    );
    wanted = false;
    release();
    expect([await first, await second, verified]).toEqual([true, undefined, false]);
  });

  it('counts failed logins per address, and gives a user who logged in from there a budget of its own', () => {
    const gate = new PasswordCheckGate(brokerLimitsSchema.parse({ failedLoginsPerMinutePerAddress: 2 }));
    const first = gate.begin('10.0.0.1', 'ingest');
    if (!first) throw new Error('the first login must be let through');
    gate.succeeded(first);
    // Random names from the same address spend the address's budget...
    expect(
      [gate.begin('10.0.0.1', 'x'), gate.begin('10.0.0.1', 'y'), gate.begin('10.0.0.1', 'z')].map(Boolean),
    ).toEqual([true, true, false]);
    // ...not ingest's, which logged in from there; from elsewhere ingest has no such budget.
    expect(Boolean(gate.begin('10.0.0.1', 'ingest'))).toBe(true);
    expect(Boolean(gate.begin('10.0.0.1', 'ingest'))).toBe(true);
    expect(Boolean(gate.begin('10.0.0.1', 'ingest'))).toBe(false);
    expect(Boolean(gate.begin('10.0.0.2', 'ingest'))).toBe(true);
  });
});
