import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AlertEngine } from '../engine/alert-engine.js';
import { parseOr400 } from './validation.js';

const createSilenceSchema = z
  .object({
    kind: z.enum(['silence', 'maintenance']).default('silence'),
    matchers: z.object({
      site: z.string().optional(),
      zone: z.string().optional(),
      device: z.string().optional(),
      gateway: z.string().optional(),
      ruleId: z.string().optional(),
    }),
    startsAt: z.number().int().positive().optional(),
    endsAt: z.number().int().positive().optional(),
    durationS: z
      .number()
      .positive()
      .max(90 * 24 * 3600)
      .optional(),
    createdBy: z.string().trim().min(1).max(128),
    comment: z.string().max(2000).default(''),
  })
  .refine((s) => Object.values(s.matchers).some((v) => v !== undefined), {
    message: 'name at least one of site, zone, device, gateway, ruleId',
    path: ['matchers'],
  })
  .refine((s) => (s.endsAt === undefined) !== (s.durationS === undefined), {
    message: 'give exactly one of endsAt or durationS',
    path: ['endsAt'],
  });

export function registerSilenceRoutes(
  app: FastifyInstance,
  engine: () => AlertEngine,
  now: () => number,
): void {
  app.get('/api/silences', async () => ({ silences: engine().silences() }));

  app.post('/api/silences', async (request, reply) => {
    const body = parseOr400(createSilenceSchema, request.body ?? {}, reply);
    if (!body) return reply;
    const startsAt = body.startsAt ?? now();
    const endsAt = body.endsAt ?? startsAt + (body.durationS as number) * 1000;
    if (endsAt <= startsAt)
      return reply.code(400).send({ code: 'REQUEST_INVALID', message: 'endsAt must be after startsAt' });
    const silence = engine().addSilence({
      kind: body.kind,
      matchers: body.matchers,
      startsAt,
      endsAt,
      createdBy: body.createdBy,
      comment: body.comment,
    });
    return reply.code(201).send(silence);
  });

  app.delete<{ Params: { id: string } }>('/api/silences/:id', async (request, reply) => {
    const removed = engine().removeSilence(request.params.id);
    if (!removed)
      return reply.code(404).send({ code: 'NOT_FOUND', message: `no silence ${request.params.id}` });
    return removed;
  });
}
