import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AlertEngine } from '../engine/alert-engine.js';
import type { AlertLinks } from '../links/alert-links.js';
import type { ChannelState } from '../notify/channel-health.js';
import type { Outbox } from '../notify/outbox.js';
import { registerAlertRoutes } from './alert-routes.js';
import { registerApiRateLimit, type ApiRateLimit } from './api-rate-limit.js';
import { authorizeCaller, callerOf, type ApiToken } from './bearer-auth.js';
import { registerChannelRoutes } from './channel-routes.js';
import { registerDeliveryRoutes } from './delivery-routes.js';
import { registerRuleRoutes } from './rule-routes.js';
import { registerSilenceRoutes } from './silence-routes.js';

export interface AlertingApiOptions {
  /** Bare strings are admin tokens (the single ALERTING_API_TOKEN of earlier versions). */
  tokens: readonly (ApiToken | string)[];
  rateLimit?: ApiRateLimit;
  engine: () => AlertEngine;
  outbox: () => Outbox;
  channels?: () => ChannelState[];
  /** Signs `links.ack` for callers that may acknowledge; without it alerts carry no links. */
  links?: AlertLinks;
  now: () => number;
  /** The longest silence, seconds (default 7 days). */
  maxSilenceS?: number;
}

/**
 * The /api routes in their own plugin scope, so neither the token check nor the
 * rate limit covers /healthz, /readyz, /metrics. Per request: who is calling
 * (onRequest), rate limit (onRequest, per route), 401/403 (preParsing).
 */
export async function registerAlertingApi(app: FastifyInstance, options: AlertingApiOptions): Promise<void> {
  const tokens = options.tokens.map((token, i): ApiToken =>
    typeof token === 'string' ? { name: `token-${i}`, token, scopes: ['admin'] } : token,
  );
  const callers = new WeakMap<FastifyRequest, ApiToken>();
  const caller = (request: FastifyRequest) => callers.get(request);
  await app.register(async (api) => {
    api.addHook('onRequest', async (request) => {
      const token = callerOf(request, tokens);
      if (token) callers.set(request, token);
    });
    if (options.rateLimit) await registerApiRateLimit(api, options.rateLimit, caller);
    api.addHook('preParsing', authorizeCaller(caller));
    registerAlertRoutes(api, { engine: options.engine, caller, links: options.links });
    registerSilenceRoutes(api, {
      engine: options.engine,
      caller,
      now: options.now,
      maxDurationS: options.maxSilenceS ?? 7 * 24 * 3600,
    });
    registerRuleRoutes(api, options.engine);
    registerDeliveryRoutes(api, options.outbox);
    registerChannelRoutes(api, options.channels ?? (() => []));
  });
}
