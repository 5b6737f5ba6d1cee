import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { PageKeys } from './page-keys.js';

/** `view` opens the alert read-only; `ack` opens it with the acknowledge button (used once). */
export const LINK_ACTIONS = ['view', 'ack'] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];

/** What a link says, all of it under the signature. */
export interface LinkClaims {
  alertId: string;
  /** Who the link acts for: `person:<id>` or `token:<name>` (people/actor.ts). */
  actor: string;
  action: LinkAction;
  /** ms since the epoch. */
  expiresAt: number;
  /** Random per link: what "used" is recorded under. */
  nonce: string;
}

export type LinkCheck =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'malformed' | 'forged' | 'expired'; claims?: LinkClaims };

const payloadSchema = z.object({
  a: z.string().min(1).max(128),
  p: z.string().min(1).max(140),
  x: z.enum(LINK_ACTIONS),
  e: z.number().int().positive(),
  n: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
});

const VERSION = 'v1';

/**
 * Signed, expiring links to one alert for one person and one action:
 * `<base>/l/<payload>.<signature>`, the payload base64url JSON of alert id, actor,
 * action, expiry and a nonce, the signature HMAC-SHA256 over "v1." + payload with
 * the link key. Changing any byte of either part makes the link forged.
 */
export class AlertLinks {
  constructor(
    private readonly keys: Pick<PageKeys, 'link'>,
    private readonly baseUrl: () => string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get base(): string {
    return this.baseUrl().replace(/\/+$/, '');
  }

  /** The alert on the page (log-in needed). */
  pageUrl(alertId: string): string {
    return `${this.base}/alerts/${encodeURIComponent(alertId)}`;
  }

  url(alertId: string, actor: string, action: LinkAction): string {
    return `${this.base}/l/${this.sign(alertId, actor, action)}`;
  }

  sign(alertId: string, actor: string, action: LinkAction): string {
    const payload = Buffer.from(
      JSON.stringify({
        a: alertId,
        p: actor,
        x: action,
        e: Math.floor((this.now() + this.ttlMs) / 1000),
        n: randomBytes(12).toString('base64url'),
      }),
    ).toString('base64url');
    return `${payload}.${this.signature(payload)}`;
  }

  /** Signature first, then the content: a forged link is never parsed. */
  verify(token: string): LinkCheck {
    const match = /^([A-Za-z0-9_-]{1,1024})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return { ok: false, reason: 'malformed' };
    const [, payload, signature] = match as unknown as [string, string, string];
    const expected = Buffer.from(this.signature(payload));
    if (!timingSafeEqual(expected, Buffer.from(signature))) return { ok: false, reason: 'forged' };
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const parsed = payloadSchema.safeParse(decoded);
    if (!parsed.success) return { ok: false, reason: 'malformed' };
    const { a, p, x, e, n } = parsed.data;
    const claims: LinkClaims = { alertId: a, actor: p, action: x, expiresAt: e * 1000, nonce: n };
    if (claims.expiresAt <= this.now()) return { ok: false, reason: 'expired', claims };
    return { ok: true, claims };
  }

  private signature(payload: string): string {
    return createHmac('sha256', this.keys.link).update(`${VERSION}.${payload}`).digest('base64url');
  }
}
