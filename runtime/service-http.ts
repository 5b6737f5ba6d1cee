import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from './logger.js';

export interface ReadinessCheck {
  name: string;
  check: () => boolean | Promise<boolean>;
}

export interface ServiceHttpOptions {
  logger: Logger;
  registry: Registry;
  readiness: readonly ReadinessCheck[];
  /** Largest request body accepted, bytes. */
  bodyLimit?: number;
}

/**
 * The HTTP face every long-running service has: `/healthz` (the process is alive),
 * `/readyz` (its dependencies answer), `/metrics` (Prometheus text). Services add
 * their own routes as plugins on the returned instance.
 */
export function createServiceHttp(options: ServiceHttpOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Health probes and scrapes arrive every few seconds; logging each would drown the useful lines.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 256 * 1024,
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const results: Record<string, boolean> = {};
    for (const readiness of options.readiness) {
      try {
        results[readiness.name] = await readiness.check();
      } catch {
        results[readiness.name] = false;
      }
    }
    const ready = Object.values(results).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: results });
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await options.registry.metrics();
    return reply.type(options.registry.contentType).send(body);
  });

  return app;
}

/** A metrics registry with the process defaults (CPU, RSS, event loop lag) and a service label. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
