import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MIN_PASSWORD_LENGTH, PeopleError } from '../people/people-store.js';
import type { Person } from '../people/person-schema.js';
import type { PageContext } from './page-context.js';
import { checkCsrf, formOf, requirePerson, safeNext, sendPage } from './page-request.js';
import { PRE_SESSION_COOKIE, SESSION_COOKIE } from './page-session.js';
import { WORDS } from './page-words.js';
import { accountPage, loginPage } from './views/account-views.js';

const loginForm = z.object({
  login: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
  next: z.string().default('/'),
});

const passwordForm = z.object({
  current: z.string().min(1).max(256),
  password: z.string().min(MIN_PASSWORD_LENGTH).max(256),
  again: z.string().max(256),
});

/** Log-in, log-out and a person's own password. */
export function registerAuthRoutes(page: FastifyInstance, ctx: PageContext): void {
  const cookieOptions = {
    httpOnly: true,
    sameSite: 'lax' as const,
    path: '/',
    secure: ctx.secureCookies,
  };
  const setSession = (reply: FastifyReply, person: Person) =>
    reply.setCookie(SESSION_COOKIE, ctx.sessions.issue(person), {
      ...cookieOptions,
      maxAge: ctx.sessions.ttlSeconds,
    });
  /** The pre-session cookie of this browser, made when missing; the log-in form's CSRF token comes from it. */
  const preSession = (request: FastifyRequest, reply: FastifyReply) => {
    const existing = request.cookies[PRE_SESSION_COOKIE];
    if (existing && /^[A-Za-z0-9_-]{24}$/.test(existing)) return existing;
    const fresh = ctx.sessions.newPreSession();
    void reply.setCookie(PRE_SESSION_COOKIE, fresh, { ...cookieOptions, maxAge: 3600 });
    return fresh;
  };

  page.get<{ Querystring: { next?: string } }>('/login', async (request, reply) => {
    const pre = preSession(request, reply);
    return sendPage(reply, 200, loginPage(ctx.sessions.preSessionCsrf(pre), safeNext(request.query.next)));
  });

  page.post(
    '/login',
    { config: { rateLimit: { max: ctx.loginAttemptsPerMinute, timeWindow: 60_000 } } },
    async (request, reply) => {
      const pre = request.cookies[PRE_SESSION_COOKIE] ?? '';
      if (!checkCsrf(request, reply, ctx.sessions.preSessionCsrf(pre))) return reply;
      const form = loginForm.safeParse(formOf(request));
      const next = safeNext(form.success ? form.data.next : '/');
      const person = form.success ? await ctx.people.verify(form.data.login, form.data.password) : undefined;
      ctx.count?.login(person ? 'ok' : 'refused');
      if (!person) {
        request.log.warn(
          { login: form.success ? form.data.login.slice(0, 64) : undefined },
          'page log-in refused',
        );
        return sendPage(reply, 401, loginPage(ctx.sessions.preSessionCsrf(pre), next, WORDS.wrongLogin));
      }
      request.log.info({ person: person.id }, 'page log-in');
      setSession(reply, person).clearCookie(PRE_SESSION_COOKIE, { path: '/' });
      return reply.redirect(next, 303);
    },
  );

  page.post('/logout', async (request, reply) => {
    const session = requirePerson(ctx, request, reply);
    if (!session || !checkCsrf(request, reply, session.csrf, session)) return reply;
    ctx.people.endSessions(session.person.id);
    return reply.clearCookie(SESSION_COOKIE, { path: '/' }).redirect('/login', 303);
  });

  page.get<{ Querystring: { done?: string } }>('/account', async (request, reply) => {
    const session = requirePerson(ctx, request, reply);
    if (!session) return reply;
    return sendPage(reply, 200, accountPage(session, request.query.done ? WORDS.done.password : undefined));
  });

  page.post('/account/password', async (request, reply) => {
    const session = requirePerson(ctx, request, reply);
    if (!session || !checkCsrf(request, reply, session.csrf, session)) return reply;
    const form = passwordForm.safeParse(formOf(request));
    if (!form.success) return sendPage(reply, 400, accountPage(session, undefined, WORDS.invalidInput));
    if (form.data.password !== form.data.again)
      return sendPage(reply, 400, accountPage(session, undefined, WORDS.passwordsDiffer));
    if (!(await ctx.people.verify(session.person.id, form.data.current)))
      return sendPage(reply, 400, accountPage(session, undefined, WORDS.wrongLogin));
    try {
      const person = await ctx.people.setPassword(session.person.id, form.data.password);
      setSession(reply, person);
    } catch (error) {
      if (error instanceof PeopleError)
        return sendPage(reply, 400, accountPage(session, undefined, WORDS.invalidInput));
      throw error;
    }
    return reply.redirect('/account?done=password', 303);
  });
}
