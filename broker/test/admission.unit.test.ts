import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../credentials/password-hash.js';
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
    buckets.charge('a');
    expect(buckets.has('a')).toBe(false);
    time.advance(2_000);
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

  it('limits the connect rate of all addresses together, without spending the addresses refused', () => {
    const time = clock();
    const admission = new ConnectionAdmission(
      brokerLimitsSchema.parse({ connectsPerSecond: 4, connectsPerSecondPerAddress: 2 }),
      time.now,
    );
    // Twenty addresses, one connection each: the first 20 (five seconds' worth) are taken…
    const burst = Array.from({ length: 25 }, (_, i) => admission.admit(`10.0.1.${i}`));
    for (const outcome of burst) if (outcome.ok) outcome.release();
    expect(burst.filter((o) => o.ok)).toHaveLength(20);
    expect(burst.at(-1)).toEqual({ ok: false, reason: 'total_connect_rate' });
    // …then four a second, whichever address they come from.
    time.advance(1000);
    const next = Array.from({ length: 5 }, (_, i) => admission.admit(`10.0.2.${i}`));
    expect(next.map((o) => o.ok)).toEqual([true, true, true, true, false]);
  });
});

describe('PasswordCheckGate', () => {
  const PASSWORD = 'the-right-password';
  let hash = '';
  beforeAll(async () => {
    hash = await hashPassword(PASSWORD);
  });
  const login = (
    gate: PasswordCheckGate,
    address: string,
    options: { username?: string; password?: string; wanted?: () => boolean } = {},
  ) =>
    gate.login({
      remoteAddress: address,
      username: options.username ?? 'gw-a',
      password: Buffer.from(options.password ?? PASSWORD),
      hash: options.username?.startsWith('nobody') ? undefined : hash,
      wanted: options.wanted ?? (() => true),
    });

  it('runs at most the configured checks at once and refuses beyond the queue', async () => {
    const gate = new PasswordCheckGate(
      brokerLimitsSchema.parse({ concurrentPasswordChecks: 2, waitingPasswordChecks: 1 }),
    );
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => login(gate, '10.0.0.1')));
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'auth_busy']);
  });

  it('skips a check whose client hung up while it waited', async () => {
    const gate = new PasswordCheckGate(brokerLimitsSchema.parse({ concurrentPasswordChecks: 1 }));
    let wanted = true;
    const outcomes = Promise.all([
      login(gate, '10.0.0.1'),
      login(gate, '10.0.0.1', { wanted: () => wanted }),
    ]);
    wanted = false;
    expect(await outcomes).toEqual(['ok', 'auth_busy']);
  });

  it('refuses an address whose failed logins are spent, not its successful ones, nor other addresses', async () => {
    const gate = new PasswordCheckGate(brokerLimitsSchema.parse({ failedLoginsPerMinutePerAddress: 2 }));
    // Logins that succeed cost nothing, however many come at once.
    expect(
      await Promise.all([1, 2, 3, 4, 5].map(() => login(gate, '10.0.0.1', { username: 'ingest' }))),
    ).toEqual(Array(5).fill('ok'));
    expect(await login(gate, '10.0.0.1', { username: 'nobody-1' })).toBe('unknown_user');
    expect(await login(gate, '10.0.0.1', { password: 'guess' })).toBe('bad_password');
    expect(await login(gate, '10.0.0.1')).toBe('login_rate_limited');
    expect(await login(gate, '10.0.0.1', { username: 'nobody-2' })).toBe('login_rate_limited');
    // ingest logged in from there before: it has a budget of its own.
    expect(await login(gate, '10.0.0.1', { username: 'ingest' })).toBe('ok');
    expect(await login(gate, '10.0.0.2')).toBe('ok');
  });

  it('refuses guesses of one username spread over many addresses once its budget is spent, but not where it logged in', async () => {
    const gate = new PasswordCheckGate(
      brokerLimitsSchema.parse({ failedLoginsPerMinutePerAddress: 2, failedLoginsPerMinutePerUser: 3 }),
    );
    expect(await login(gate, '10.0.0.1')).toBe('ok');
    const guesses = [];
    for (let i = 1; i <= 5; i++) guesses.push(await login(gate, `10.0.9.${i}`, { password: 'guess' }));
    expect(guesses).toEqual([
      'bad_password',
      'bad_password',
      'bad_password',
      'login_rate_limited',
      'login_rate_limited',
    ]);
    // Even the right password is not checked from a new address now…
    expect(await login(gate, '10.0.9.6')).toBe('login_rate_limited');
    // …while the address it logged in from keeps its own budget, and other usernames are untouched.
    expect(await login(gate, '10.0.0.1')).toBe('ok');
    expect(await login(gate, '10.0.9.7', { username: 'gw-b' })).toBe('ok');
    // Unknown usernames are never tracked per name (a flood of random names would fill the table).
    expect(await login(gate, '10.0.9.8', { username: 'nobody-3' })).toBe('unknown_user');
  });
});
