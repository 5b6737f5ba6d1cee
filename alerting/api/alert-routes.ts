import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { severitySchema } from '../../contracts/index.js';
import type { AlertEngine } from '../engine/alert-engine.js';
import { alertStateSchema } from '../engine/alert-schema.js';
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
  by: z.string().trim().min(1).max(128),
  comment: z.string().max(2000).default(''),
});

export function registerAlertRoutes(app: FastifyInstance, engine: () => AlertEngine): void {
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
        const { timeline: _timeline, ...summary } = alert;
        return { ...summary, silenced: engine().isSilenced(alert) };
      }),
    };
  });

  app.get<{ Params: { id: string } }>('/api/alerts/:id', async (request, reply) => {
    const alert = engine().alert(request.params.id);
    if (!alert) return reply.code(404).send({ code: 'NOT_FOUND', message: `no alert ${request.params.id}` });
    return { ...alert, silenced: engine().isSilenced(alert) };
  });

  app.post<{ Params: { id: string } }>('/api/alerts/:id/ack', async (request, reply) => {
    const body = parseOr400(ackBodySchema, request.body ?? {}, reply);
    if (!body) return reply;
    const alert = engine().acknowledge(request.params.id, body.by, body.comment);
    if (!alert) return reply.code(404).send({ code: 'NOT_FOUND', message: `no alert ${request.params.id}` });
    return alert;
  });
}
