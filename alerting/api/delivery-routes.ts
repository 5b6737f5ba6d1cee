import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { deliveryStatusSchema } from '../notify/delivery-schema.js';
import type { Outbox } from '../notify/outbox.js';
import { parseOr400 } from './validation.js';

const listQuerySchema = z.object({
  /** Comma-separated statuses; defaults to everything not yet delivered. */
  status: z
    .string()
    .default('pending,sending,failed')
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(deliveryStatusSchema)),
});

export function registerDeliveryRoutes(app: FastifyInstance, outbox: () => Outbox): void {
  app.get('/api/deliveries', async (request, reply) => {
    const query = parseOr400(listQuerySchema, request.query, reply);
    if (!query) return reply;
    const deliveries = outbox()
      .list(query.status)
      .map(({ alert, ...delivery }) => ({ ...delivery, alertId: alert.id, ruleId: alert.ruleId }));
    return { total: deliveries.length, deliveries };
  });

  app.post('/api/deliveries/retry', async (request, reply) => {
    const body = parseOr400(z.object({ key: z.string().min(1) }), request.body ?? {}, reply);
    if (!body) return reply;
    const delivery = outbox().retry(body.key);
    if (!delivery) return reply.code(404).send({ code: 'NOT_FOUND', message: `no delivery ${body.key}` });
    const { alert, ...rest } = delivery;
    return { ...rest, alertId: alert.id };
  });
}
