import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { fieldNameSchema, idSchema } from '../../contracts/index.js';
import { FaultTargetError } from '../faults/fault-book.js';
import { faultRequestSchema } from '../faults/fault-kinds.js';
import type { Simulator } from '../simulator.js';
import { guardControlRoutes } from './control-guard.js';

export const freezeRequestSchema = z
  .strictObject({ values: z.record(idSchema, z.record(fieldNameSchema, z.number().finite())).optional() })
  .optional();

function issues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
}

/**
 * The simulator's control routes: switch faults, read what a meter served, freeze the
 * village. Only with the control token, and only to a host name it answers to
 * (control-guard.ts).
 */
export async function controlRoutes(
  app: FastifyInstance,
  { simulator, token, hosts }: { simulator: Simulator; token: string; hosts: readonly string[] },
): Promise<void> {
  guardControlRoutes(app, { token, hosts });
  app.get('/endpoints', async () => ({ buses: simulator.busEndpoints() }));

  app.get('/faults', async () => ({ faults: simulator.faults() }));

  app.post('/faults', async (request, reply) => {
    const parsed = faultRequestSchema.safeParse(request.body);
    if (!parsed.success)
      return reply.code(400).send({ error: 'invalid fault request', issues: issues(parsed.error) });
    try {
      return reply.code(201).send(simulator.injectFault(parsed.data));
    } catch (error) {
      if (error instanceof FaultTargetError) return reply.code(400).send({ error: error.message });
      throw error;
    }
  });

  app.delete<{ Params: { id: string } }>('/faults/:id', async (request, reply) => {
    const fault = simulator.clearFault(request.params.id);
    if (!fault) return reply.code(404).send({ error: `no active fault "${request.params.id}"` });
    return fault;
  });

  app.get<{ Params: { id: string } }>('/devices/:id/served', async (request, reply) => {
    const served = simulator.lastServed(request.params.id);
    if (!served)
      return reply.code(404).send({ error: `device "${request.params.id}" has served nothing yet` });
    return served;
  });

  app.post('/freeze', async (request, reply) => {
    const parsed = freezeRequestSchema.safeParse(request.body ?? undefined);
    if (!parsed.success)
      return reply.code(400).send({ error: 'invalid freeze request', issues: issues(parsed.error) });
    return { frozen: simulator.freeze(parsed.data?.values) };
  });

  app.post('/unfreeze', async () => {
    simulator.unfreeze();
    return { frozen: false };
  });
}
