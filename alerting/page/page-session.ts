import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { PageKeys } from '../links/page-keys.js';
import type { Person } from '../people/person-schema.js';
import type { PeopleStore } from '../people/people-store.js';

export const SESSION_COOKIE = 'vt_session';
/** A random value set before log-in, so the log-in form has a CSRF token too. */
export const PRE_SESSION_COOKIE = 'vt_pre';

export interface PageSession {
  person: Person;
  /** The form token of this session (hidden `_csrf` field). */
  csrf: string;
}

const sessionSchema = z.object({
  p: z.string(),
  v: z.number().int().nonnegative(),
  e: z.number().int().positive(),
  n: z.string(),
});

function mac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

export function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Log-ins as signed cookies: person, session version, expiry and a nonce under an
 * HMAC. Nothing is stored server-side; raising the person's session version (log-out,
 * new password, disabling, a lower role) ends all their sessions at once. Every form
 * carries a CSRF token derived from the session (or, before log-in, from a random
 * pre-session cookie); a cross-site page can read neither.
 */
export class PageSessions {
  constructor(
    private readonly keys: Pick<PageKeys, 'session' | 'csrf'>,
    private readonly people: PeopleStore,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get ttlSeconds(): number {
    return Math.floor(this.ttlMs / 1000);
  }

  issue(person: Person): string {
    const payload = Buffer.from(
      JSON.stringify({
        p: person.id,
        v: person.sessionVersion,
        e: Math.floor((this.now() + this.ttlMs) / 1000),
        n: randomBytes(12).toString('base64url'),
      }),
    ).toString('base64url');
    return `${payload}.${mac(this.keys.session, payload)}`;
  }

  /** The session a cookie stands for, if it is ours, unexpired, and its person still may log in. */
  read(cookie: string | undefined): PageSession | undefined {
    const match = /^([A-Za-z0-9_-]{1,512})\.([A-Za-z0-9_-]{43})$/.exec(cookie ?? '');
    if (!match) return undefined;
    const [, payload, signature] = match as unknown as [string, string, string];
    if (!sameToken(mac(this.keys.session, payload), signature)) return undefined;
    let claims: z.infer<typeof sessionSchema>;
    try {
      claims = sessionSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    } catch {
      return undefined;
    }
    if (claims.e * 1000 <= this.now()) return undefined;
    const person = this.people.get(claims.p);
    if (!person || person.disabled || person.sessionVersion !== claims.v) return undefined;
    return { person, csrf: mac(this.keys.csrf, `session.${claims.n}`) };
  }

  newPreSession(): string {
    return randomBytes(18).toString('base64url');
  }

  /** The log-in form's CSRF token for a pre-session cookie. */
  preSessionCsrf(preSession: string): string {
    return mac(this.keys.csrf, `pre.${preSession}`);
  }

  /** The CSRF token of a page opened from a one-tap link. */
  linkCsrf(linkToken: string): string {
    return mac(this.keys.csrf, `link.${linkToken}`);
  }
}
