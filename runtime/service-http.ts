import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { z } from 'zod';
import { CodedError } from './errors.js';
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
  /** Serve HTTPS instead of HTTP with this PEM certificate (chain) and key. */
  https?: HttpsFiles | undefined;
}

/** PEM files for an HTTPS listener, as services put them in their config (`http.https`). */
export const httpsFilesSchema = z.strictObject({
  certFile: z.string().min(1),
  keyFile: z.string().min(1),
});

export type HttpsFiles = z.infer<typeof httpsFilesSchema>;

/**
 * fastify is loaded by the first service that serves HTTP with it, not by importing this
 * folder: the gateway imports `runtime/` but serves its small page with node:http
 * (edge/http), and fastify with its dependencies is about 5 MiB of a gateway's memory.
 */
const loadFastify = () => createRequire(import.meta.url)('fastify') as typeof import('fastify');

/**
 * The HTTP face every long-running service has: `/healthz` (the process is alive),
 * `/readyz` (its dependencies answer), `/metrics` (Prometheus text). Services add
 * their own routes as plugins on the returned instance.
 */
export function createServiceHttp(options: ServiceHttpOptions): FastifyInstance {
  const { default: Fastify, LogController } = loadFastify();
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Health probes and scrapes arrive every few seconds; logging each would drown the useful lines.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    ...(options.https ? { https: readHttpsFiles(options.https) } : {}),
  }) as unknown as FastifyInstance; // an https.Server underneath then: routes, hooks and listen() are the same

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const { ready, body } = await checkReadiness(options.readiness);
    return reply.code(ready ? 200 : 503).send(body);
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await options.registry.metrics();
    return reply.type(options.registry.contentType).send(body);
  });

  return app;
}

/** What `/readyz` answers: 200 with every check true, else 503; a check that throws counts as false. */
export async function checkReadiness(checks: readonly ReadinessCheck[]): Promise<{
  ready: boolean;
  body: { status: 'ready' | 'not_ready'; checks: Record<string, boolean> };
}> {
  const results: Record<string, boolean> = {};
  for (const readiness of checks) {
    try {
      results[readiness.name] = await readiness.check();
    } catch {
      results[readiness.name] = false;
    }
  }
  const ready = Object.values(results).every(Boolean);
  return { ready, body: { status: ready ? 'ready' : 'not_ready', checks: results } };
}

/** Reads the PEM files at start-up, so a missing or unreadable file stops the service with its path. */
export function readHttpsFiles(files: HttpsFiles): { cert: Buffer; key: Buffer } {
  const read = (what: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new CodedError(
        'CONFIG_INVALID',
        `cannot read HTTPS ${what} ${file}: ${(error as Error).message}`,
      );
    }
  };
  return { cert: read('certificate', files.certFile), key: read('key', files.keyFile) };
}

/** A metrics registry with the process defaults (CPU, RSS, event loop lag) and a service label. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
