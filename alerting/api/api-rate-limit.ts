import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiToken } from './bearer-auth.js';

export interface ApiRateLimit {
  enabled: boolean;
  /** Requests per window for each known token. */
  max: number;
  /** Requests per window for each client address without a known token (guessing tokens). */
  unauthenticatedMax: number;
  windowMs: number;
}

/**
 * Rate limits every route registered after it in this plugin scope, per token
 * name or, without a known token, per client address. It runs before the 401/403
 * check, so guessing tokens is limited too.
 */
export async function registerApiRateLimit(
  api: FastifyInstance,
  limit: ApiRateLimit,
  caller: (request: FastifyRequest) => ApiToken | undefined,
): Promise<void> {
  if (!limit.enabled) return;
  await api.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    timeWindow: limit.windowMs,
    max: (request) => (caller(request) ? limit.max : limit.unauthenticatedMax),
    keyGenerator: (request) => {
      const token = caller(request);
      return token ? `token:${token.name}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `请求过于频繁 / Too many requests: at most ${context.max} per ${context.after}`,
    }),
  });
}
