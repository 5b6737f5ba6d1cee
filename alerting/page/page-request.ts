import type { FastifyReply, FastifyRequest } from 'fastify';
import { roleAllows, type PersonRole } from '../people/person-schema.js';
import type { SafeHtml } from './html.js';
import type { PageContext } from './page-context.js';
import { SESSION_COOKIE, sameToken, type PageSession } from './page-session.js';
import { WORDS } from './page-words.js';
import { messagePage } from './views/layout.js';

export function sendPage(reply: FastifyReply, status: number, page: SafeHtml): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page.value);
}

/** A path on this site to go back to after log-in; anything else (//evil, https://…) becomes "/". */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s\\]*$/.test(next) ? next : '/';
}

export function sessionOf(ctx: PageContext, request: FastifyRequest): PageSession | undefined {
  return ctx.sessions.read(request.cookies[SESSION_COOKIE]);
}

/**
 * The session of a logged-in person with at least `role`: otherwise the answer is
 * already sent (a redirect to log in, or 403) and the route returns it.
 */
export function requirePerson(
  ctx: PageContext,
  request: FastifyRequest,
  reply: FastifyReply,
  role: PersonRole = 'viewer',
): PageSession | undefined {
  const session = sessionOf(ctx, request);
  if (!session) {
    const next = request.method === 'GET' ? request.url : '/';
    void reply.redirect(`/login?next=${encodeURIComponent(safeNext(next))}`, 303);
    return undefined;
  }
  if (!roleAllows(session.person.role, role)) {
    void sendPage(reply, 403, messagePage(WORDS.forbidden, undefined, session));
    return undefined;
  }
  return session;
}

/** The form's `_csrf` field equals the token of this session (or link, or pre-session); 403 page otherwise. */
export function checkCsrf(
  request: FastifyRequest,
  reply: FastifyReply,
  expected: string,
  session?: PageSession,
): boolean {
  const given = (request.body as Record<string, unknown> | undefined)?._csrf;
  if (typeof given === 'string' && sameToken(given, expected)) return true;
  request.log.warn({ route: request.routeOptions.url }, 'page form refused: CSRF token missing or wrong');
  void sendPage(reply, 403, messagePage(WORDS.csrf, undefined, session));
  return false;
}

/** The form body as strings (repeated fields: the last one). */
export function formOf(request: FastifyRequest): Record<string, string> {
  const body = request.body;
  if (typeof body !== 'object' || body === null) return {};
  return Object.fromEntries(
    Object.entries(body as Record<string, unknown>).map(([k, v]) => [
      k,
      Array.isArray(v) ? String(v.at(-1) ?? '') : String(v ?? ''),
    ]),
  );
}
