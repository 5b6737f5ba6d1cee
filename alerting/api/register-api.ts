import type { FastifyInstance } from 'fastify';
import type { AlertEngine } from '../engine/alert-engine.js';
import type { Outbox } from '../notify/outbox.js';
import { registerAlertRoutes } from './alert-routes.js';
import { bearerAuth } from './bearer-auth.js';
import { registerDeliveryRoutes } from './delivery-routes.js';
import { registerRuleRoutes } from './rule-routes.js';
import { registerSilenceRoutes } from './silence-routes.js';

export interface AlertingApiOptions {
  tokens: readonly string[];
  engine: () => AlertEngine;
  outbox: () => Outbox;
  now: () => number;
}

/** The /api routes in their own plugin scope, so the token check never covers /healthz, /readyz, /metrics. */
export async function registerAlertingApi(app: FastifyInstance, options: AlertingApiOptions): Promise<void> {
  await app.register(async (api) => {
    api.addHook('onRequest', bearerAuth(options.tokens));
    registerAlertRoutes(api, options.engine);
    registerSilenceRoutes(api, options.engine, options.now);
    registerRuleRoutes(api, options.engine);
    registerDeliveryRoutes(api, options.outbox);
  });
}
