import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AlertEngine } from '../engine/alert-engine.js';
import { tokenActor } from '../people/actor.js';
import { scopesGrant } from './api-scopes.js';
import type { ApiToken } from './bearer-auth.js';
import { silencesCritical } from './silence-policy.js';
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
    durationS: z.number().positive().optional(),
    /** Gone: a silence is recorded under the token that creates it. */
    createdBy: z
      .never({ error: 'no longer accepted: the silence is recorded under the calling token' })
      .optional(),
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

export interface SilenceRouteOptions {
  engine: () => AlertEngine;
  caller: (request: FastifyRequest) => ApiToken | undefined;
  now: () => number;
  /** The longest silence anyone may set, seconds. */
  maxDurationS: number;
}

/**
 * Silences are bounded (at most `maxDurationS`, starting no earlier than now and no
 * later than `maxDurationS` ahead), recorded under the calling token, and only an
 * admin token may create one that could hold back a critical alert.
 */
export function registerSilenceRoutes(app: FastifyInstance, options: SilenceRouteOptions): void {
  const { engine, now, maxDurationS } = options;
  app.get('/api/silences', async () => ({ silences: engine().silences() }));

  app.post('/api/silences', async (request, reply) => {
    const body = parseOr400(createSilenceSchema, request.body ?? {}, reply);
    if (!body) return reply;
    const token = options.caller(request) as ApiToken;
    const current = now();
    const startsAt = body.startsAt ?? current;
    const endsAt = body.endsAt ?? startsAt + (body.durationS as number) * 1000;
    const invalid = (message: string) => reply.code(400).send({ code: 'REQUEST_INVALID', message });
    if (endsAt <= startsAt) return invalid('endsAt must be after startsAt');
    if (startsAt < current - 60_000) return invalid('startsAt may not be in the past');
    if (startsAt > current + maxDurationS * 1000)
      return invalid(`startsAt may be at most ${maxDurationS} s ahead`);
    if (endsAt - startsAt > maxDurationS * 1000)
      return invalid(`a silence may last at most ${maxDurationS} s (silences.maxDurationS)`);
    const rules = engine().rules;
    if (body.matchers.ruleId !== undefined && !rules.some((r) => r.id === body.matchers.ruleId))
      return invalid(`no rule "${body.matchers.ruleId}"`);
    if (silencesCritical(body.matchers, rules) && !scopesGrant(token.scopes, 'admin')) {
      request.log.warn(
        { tokenName: token.name, matchers: body.matchers },
        'silence of critical alerts refused',
      );
      return reply.code(403).send({
        code: 'FORBIDDEN',
        message:
          '只有管理员可以静默严重告警 / Only an admin token may silence critical alerts: name a non-critical rule in matchers.ruleId',
        required: 'admin',
      });
    }
    const silence = engine().addSilence({
      kind: body.kind,
      matchers: body.matchers,
      startsAt,
      endsAt,
      createdBy: tokenActor(token.name),
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
