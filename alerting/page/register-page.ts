import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { registerAlertPageRoutes } from './alert-page-routes.js';
import { registerAuthRoutes } from './auth-routes.js';
import { registerLinkRoutes } from './link-routes.js';
import type { PageContext } from './page-context.js';
import { sendPage } from './page-request.js';
import { PAGE_CSS } from './page-style.js';
import { WORDS } from './page-words.js';
import { registerPeopleRoutes } from './people-routes.js';
import { registerRosterRoutes } from './roster-routes.js';
import { messagePage } from './views/layout.js';

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * Cross-site POSTs are refused before anything else: a browser names the page a form
 * came from (`Origin`, `Sec-Fetch-Site`), and only this site's own pages may post.
 * The CSRF token in every form is the second lock.
 */
async function refuseCrossSite(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.method !== 'POST') return;
  const fetchSite = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  let crossSite: boolean;
  if (fetchSite !== undefined) {
    crossSite = fetchSite !== 'same-origin' && fetchSite !== 'none';
  } else if (origin !== undefined) {
    try {
      crossSite = new URL(origin).host !== request.headers.host;
    } catch {
      crossSite = true; // "null": a sandboxed frame, a data: page
    }
  } else {
    crossSite = false; // not a browser, or a very old one: the CSRF token still decides
  }
  if (!crossSite) return;
  request.log.warn({ origin, fetchSite, route: request.routeOptions.url }, 'cross-site form post refused');
  await sendPage(reply, 403, messagePage(WORDS.forbidden, WORDS.csrf));
}

/**
 * The operators' page: server-rendered HTML, no script, one stylesheet from this
 * service. Its own plugin scope, so its cookies, form parsing, headers and error pages
 * leave the JSON API alone.
 */
export async function registerOperatorsPage(app: FastifyInstance, ctx: PageContext): Promise<void> {
  await app.register(async (page) => {
    await page.register(cookie);
    await page.register(formbody, { bodyLimit: 16 * 1024 });
    await page.register(rateLimit, {
      global: false,
      keyGenerator: (request) => `page:${request.ip}`,
      errorResponseBuilder: (_request, context) => ({
        statusCode: 429,
        code: 'RATE_LIMITED',
        message: `请求过于频繁 / Too many requests: at most ${context.max} per ${context.after}`,
      }),
    });
    page.addHook('onSend', async (request, reply) => {
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      reply.header('x-frame-options', 'DENY');
      reply.header('x-content-type-options', 'nosniff');
      // Links carry tokens: their URLs never leave this site in a Referer.
      reply.header('referrer-policy', 'same-origin');
      if (request.url !== '/assets/page.css') reply.header('cache-control', 'no-store');
    });
    page.addHook('preHandler', refuseCrossSite);
    page.setErrorHandler(async (error: FastifyError, request, reply) => {
      const status = error.statusCode ?? 500;
      if (status >= 500) request.log.error({ err: error }, 'page error');
      const title =
        status === 429
          ? { zh: '请求过于频繁，请一分钟后再试', en: 'Too many attempts: try again in a minute' }
          : status < 500
            ? WORDS.invalidInput
            : { zh: '服务出错，请稍后再试', en: 'Something went wrong: try again shortly' };
      return sendPage(reply, status, messagePage(title, undefined));
    });

    page.get('/assets/page.css', async (_request, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(PAGE_CSS),
    );
    registerAuthRoutes(page, ctx);
    registerAlertPageRoutes(page, ctx);
    registerLinkRoutes(page, ctx);
    registerPeopleRoutes(page, ctx);
    registerRosterRoutes(page, ctx);
  });
}
