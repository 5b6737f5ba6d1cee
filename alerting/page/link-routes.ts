import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { scopesGrant } from '../api/api-scopes.js';
import type { LinkClaims } from '../links/alert-links.js';
import { personIdOf } from '../people/actor.js';
import { roleAllows } from '../people/person-schema.js';
import type { PageContext } from './page-context.js';
import { checkCsrf, formOf, sendPage } from './page-request.js';
import { WORDS, type Words } from './page-words.js';
import { messagePage } from './views/layout.js';
import { linkAlertPage } from './views/link-views.js';

/** `/l/*`, not `/l/:token`: a link is longer than a route parameter may be. */
type Params = { Params: { '*': string } };

const ackForm = z.object({ comment: z.string().trim().max(2000).default('') });

/**
 * One-tap links from notifications, usable without logging in. A forged, expired or
 * used link, or one whose person may no longer act, gets a page that says so and
 * changes nothing. GET only shows; acknowledging is the button's POST, because chat
 * apps and mail scanners open links on their own.
 */
export function registerLinkRoutes(page: FastifyInstance, ctx: PageContext): void {
  /** Whether the link's actor may still acknowledge: an enabled operator or admin, or a token with that scope. */
  const mayAcknowledge = (actor: string): boolean => {
    const personId = personIdOf(actor);
    if (personId !== undefined) {
      const person = ctx.people.get(personId);
      return person !== undefined && !person.disabled && roleAllows(person.role, 'operator');
    }
    const token = ctx.tokens.find((t) => `token:${t.name}` === actor);
    return token !== undefined && scopesGrant(token.scopes, 'acknowledge');
  };
  const actorExists = (actor: string): boolean => {
    const personId = personIdOf(actor);
    if (personId !== undefined) return ctx.people.get(personId)?.disabled === false;
    return ctx.tokens.some((t) => `token:${t.name}` === actor);
  };

  const refuse = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    title: Words,
    why?: Words,
  ) => {
    request.log.warn({ status, reason: title.en }, 'one-tap link refused');
    return sendPage(reply, status, messagePage(title, why));
  };

  /** The link's claims when it may be shown at all; otherwise the refusal is sent. */
  const check = (request: FastifyRequest<Params>, reply: FastifyReply): LinkClaims | undefined => {
    const result = ctx.links.verify(request.params['*']);
    if (!result.ok) {
      ctx.count?.link(result.claims?.action ?? 'unknown', result.reason === 'expired' ? 'expired' : 'forged');
      if (result.reason === 'expired')
        void refuse(request, reply, 410, WORDS.linkExpired, WORDS.linkExpiredWhy);
      else void refuse(request, reply, 403, WORDS.linkInvalid, WORDS.linkInvalidWhy);
      return undefined;
    }
    const { claims } = result;
    if (claims.action === 'ack' && ctx.usedLink(claims.nonce)) {
      ctx.count?.link(claims.action, 'used');
      void refuse(request, reply, 409, WORDS.linkUsed, WORDS.linkUsedWhy);
      return undefined;
    }
    if (!actorExists(claims.actor)) {
      ctx.count?.link(claims.action, 'not_allowed');
      void refuse(request, reply, 403, WORDS.linkInvalid, WORDS.linkInvalidWhy);
      return undefined;
    }
    if (claims.action === 'ack' && !mayAcknowledge(claims.actor)) {
      ctx.count?.link(claims.action, 'not_allowed');
      void refuse(request, reply, 403, WORDS.linkNotAllowed);
      return undefined;
    }
    return claims;
  };

  const show = (reply: FastifyReply, token: string, claims: LinkClaims, status = 200, done?: Words) => {
    const engine = ctx.engine();
    const alert = engine.alert(claims.alertId);
    if (!alert) return sendPage(reply, 404, messagePage(WORDS.notFound, undefined));
    const deliveries = ctx.deliveries().filter((d) => d.alert.id === alert.id);
    const canAck = claims.action === 'ack' && alert.state !== 'resolved' && !alert.ack;
    const notice =
      done || claims.action !== 'ack'
        ? undefined
        : alert.ack
          ? WORDS.alreadyAcked
          : canAck
            ? undefined
            : WORDS.alertResolved;
    return sendPage(
      reply,
      status,
      linkAlertPage(ctx, { ...alert, silenced: engine.isSilenced(alert) }, deliveries, {
        actor: claims.actor,
        ...(canAck ? { ack: { action: `/l/${token}`, csrf: ctx.sessions.linkCsrf(token) } } : {}),
        ...(notice ? { notice } : {}),
        ...(done ? { done } : {}),
      }),
    );
  };

  page.get<Params>('/l/*', async (request, reply) => {
    const claims = check(request, reply);
    if (!claims) return reply;
    ctx.count?.link(claims.action, 'shown');
    return show(reply, request.params['*'], claims);
  });

  page.post<Params>(
    '/l/*',
    { config: { rateLimit: { max: ctx.loginAttemptsPerMinute * 3, timeWindow: 60_000 } } },
    async (request, reply) => {
      const claims = check(request, reply);
      if (!claims) return reply;
      const token = request.params['*'];
      if (!checkCsrf(request, reply, ctx.sessions.linkCsrf(token))) return reply;
      if (claims.action !== 'ack') return refuse(request, reply, 403, WORDS.forbidden);
      const form = ackForm.safeParse(formOf(request));
      const alert = ctx.engine().alert(claims.alertId);
      if (!alert) return sendPage(reply, 404, messagePage(WORDS.notFound, undefined));
      if (alert.ack || alert.state === 'resolved') return show(reply, token, claims, 409);
      ctx.engine().acknowledge(alert.id, claims.actor, form.success ? form.data.comment : '');
      ctx.markUsed(claims.nonce, claims.expiresAt);
      ctx.count?.link(claims.action, 'acknowledged');
      request.log.info({ alert: alert.id, actor: claims.actor }, 'alert acknowledged from a one-tap link');
      return show(reply, token, claims, 200, WORDS.done.ack);
    },
  );
}
