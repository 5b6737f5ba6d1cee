import type { BrokerLimits } from './admission-config.js';
import { addressKey } from './address-key.js';
import { KeyedTokenBuckets } from './keyed-token-buckets.js';

export type ConnectionRefusal =
  'too_many_connections' | 'too_many_from_address' | 'connect_rate' | 'total_connect_rate';

/** Addresses whose connect rate is tracked at most (a bucket is about 100 bytes). */
const MAX_TRACKED_ADDRESSES = 100_000;
/** The one key of the connect rate of all addresses together. */
const EVERYONE = '*';

/**
 * Decides, as a socket is accepted and before a byte of it is parsed (or, on the TLS
 * listener, before the handshake), whether the broker takes it: a total cap, a cap per
 * address, a connect rate per address and one for all addresses together. A refused socket is closed at once and
 * costs an accept and a close.
 */
export class ConnectionAdmission {
  private open = 0;
  private readonly openByAddress = new Map<string, number>();
  private readonly rate: KeyedTokenBuckets;
  private readonly totalRate: KeyedTokenBuckets;

  constructor(
    private readonly limits: BrokerLimits,
    now?: () => number,
  ) {
    this.rate = new KeyedTokenBuckets({
      capacity: limits.connectsPerSecondPerAddress * 5,
      refillPerSecond: limits.connectsPerSecondPerAddress,
      maxKeys: MAX_TRACKED_ADDRESSES,
      ...(now ? { now } : {}),
    });
    this.totalRate = new KeyedTokenBuckets({
      capacity: limits.connectsPerSecond * 5,
      refillPerSecond: limits.connectsPerSecond,
      maxKeys: 1,
      ...(now ? { now } : {}),
    });
  }

  /** Admits a socket from `remoteAddress`, or says why not; an admitted one must be `released` when it closes. */
  admit(
    remoteAddress: string | undefined,
  ): { ok: true; release: () => void } | { ok: false; reason: ConnectionRefusal } {
    const key = addressKey(remoteAddress);
    if (this.open >= this.limits.maxConnections) return { ok: false, reason: 'too_many_connections' };
    const fromAddress = this.openByAddress.get(key) ?? 0;
    if (fromAddress >= this.limits.maxConnectionsPerAddress)
      return { ok: false, reason: 'too_many_from_address' };
    if (!this.totalRate.has(EVERYONE)) return { ok: false, reason: 'total_connect_rate' };
    if (!this.rate.take(key)) return { ok: false, reason: 'connect_rate' };
    this.totalRate.take(EVERYONE);
    this.open += 1;
    this.openByAddress.set(key, fromAddress + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.open -= 1;
        const left = (this.openByAddress.get(key) ?? 1) - 1;
        if (left > 0) this.openByAddress.set(key, left);
        else this.openByAddress.delete(key);
      },
    };
  }
}
