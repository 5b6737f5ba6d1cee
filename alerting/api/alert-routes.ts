import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { severitySchema } from '../../contracts/index.js';
import type { AlertEngine } from '../engine/alert-engine.js';
import { alertStateSchema, type Alert } from '../engine/alert-schema.js';
import type { AlertLinks } from '../links/alert-links.js';
import { tokenActor } from '../people/actor.js';
import { scopesGrant } from './api-scopes.js';
import type { ApiToken } from './bearer-auth.js';
import { parseOr400 } from './validation.js';

const listQuerySchema = z.object({
  state: alertStateSchema.optional(),
  zone: z.string().optional(),
  severity: severitySchema.optional(),
  site: z.string().optional(),
  rule: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

const ackBodySchema = z.object({
  /** Gone: the acknowledgement is recorded under the calling token, never a name the caller types. */
  by: z
    .never({ error: 'no longer accepted: the acknowledgement is recorded under the calling token' })
    .optional(),
  comment: z.string().max(2000).default(''),
});

export interface AlertRouteOptions {
  engine: () => AlertEngine;
  caller: (request: FastifyRequest) => ApiToken | undefined;
  links?: AlertLinks | undefined;
}

/**
 * Alerts as the API shows them: `silenced`, and `links.page` (the alert on the
 * operators' page) plus, for a caller that may acknowledge an open unacknowledged
 * alert, `links.ack` (a one-tap link signed for that caller).
 */
function present(alert: Alert, request: FastifyRequest, options: AlertRouteOptions) {
  const { links } = options;
  const token = options.caller(request);
  const ack =
    links && token && scopesGrant(token.scopes, 'acknowledge') && alert.state !== 'resolved' && !alert.ack
      ? links.url(alert.id, tokenActor(token.name), 'ack')
      : undefined;
  return {
    ...alert,
    silenced: options.engine().isSilenced(alert),
    ...(links ? { links: { page: links.pageUrl(alert.id), ...(ack ? { ack } : {}) } } : {}),
  };
}

export function registerAlertRoutes(app: FastifyInstance, options: AlertRouteOptions): void {
  const engine = options.engine;
  app.get('/api/alerts', async (request, reply) => {
    const query = parseOr400(listQuerySchema, request.query, reply);
    if (!query) return reply;
    const alerts = engine().alerts({
      state: query.state,
      zone: query.zone,
      severity: query.severity,
      site: query.site,
      ruleId: query.rule,
    });
    return {
      total: alerts.length,
      alerts: alerts.slice(0, query.limit).map((alert) => {
        const { timeline: _timeline, ...summary } = present(alert, request, options);
        return summary;
      }),
    };
  });

  app.get<{ Params: { id: string } }>('/api/alerts/:id', async (request, reply) => {
    const alert = engine().alert(request.params.id);
    if (!alert) return reply.code(404).send({ code: 'NOT_FOUND', message: `no alert ${request.params.id}` });
    return present(alert, request, options);
  });

  app.post<{ Params: { id: string } }>('/api/alerts/:id/ack', async (request, reply) => {
    const body = parseOr400(ackBodySchema, request.body ?? {}, reply);
    if (!body) return reply;
    const token = options.caller(request) as ApiToken;
    const alert = engine().acknowledge(request.params.id, tokenActor(token.name), body.comment);
    if (!alert) return reply.code(404).send({ code: 'NOT_FOUND', message: `no alert ${request.params.id}` });
    return present(alert, request, options);
  });
}
