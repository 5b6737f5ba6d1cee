import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeCode, type Logger } from '../../runtime/index.js';
import {
  enrolDevice,
  enrolmentScopeOf,
  loadSite,
  SiteRegistry,
  type EnrolmentToken,
} from '../../site/index.js';
import type { SiteDirectory } from '../validation/site-directory.js';
import type { RejectionBoard } from './rejection-board.js';

export interface EnrolmentOptions {
  tokens: readonly EnrolmentToken[];
  siteFiles: readonly string[];
  sites: SiteDirectory;
  rejections: RejectionBoard;
  logger: Logger;
}

/**
 * The platform's enrolment API, served by ingest because ingest decides which devices
 * are known: `POST /api/enrolment/devices` with a gateway's enrolment token adds a
 * device to the site's enrolled overlay (site/enrolment) and ingest accepts its
 * messages at once. Alerting, dashboards and the simulator read the overlay when
 * they next load the site.
 */
export function registerEnrolmentRoutes(http: FastifyInstance, options: EnrolmentOptions): void {
  registerFeedbackRoute(http, options);
  const fileOf = new Map(options.siteFiles.map((file) => [loadSite(file).site.id, file]));
  let queue: Promise<unknown> = Promise.resolve();
  const scopeOf = (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? '';
    const scope = header.startsWith('Bearer ')
      ? enrolmentScopeOf(options.tokens, header.slice(7).trim())
      : undefined;
    if (!scope) {
      void reply
        .code(401)
        .send(coded('AUTH_FAILED', ['a valid enrolment token in "Authorization: Bearer …"']));
      return undefined;
    }
    const file = fileOf.get(scope.site);
    if (!file) {
      void reply.code(403).send(coded('SITE_UNKNOWN', [`site "${scope.site}" is not served here`]));
      return undefined;
    }
    return { ...scope, file };
  };

  http.post('/api/enrolment/devices', async (request, reply) => {
    const scope = scopeOf(request, reply);
    if (!scope) return reply;
    const run = queue.then(() => enrolDevice(scope.file, scope.gateway, request.body));
    queue = run.catch(() => undefined);
    const outcome = await run;
    if (outcome.kind === 'refused') {
      return reply
        .code(outcome.code === 'GATEWAY_MISMATCH' ? 403 : 400)
        .send(coded(outcome.code, outcome.issues));
    }
    options.sites.replace(new SiteRegistry(outcome.site));
    const device = outcome.site.devices.find(
      (d) => d.id === (request.body as { device: { id: string } }).device.id,
    );
    options.logger.info({ site: scope.site, gateway: scope.gateway, device: device?.id }, 'device enrolled');
    return reply
      .code(outcome.replaced ? 200 : 201)
      .send({ site: scope.site, gateway: scope.gateway, device });
  });

  http.get('/api/enrolment/devices', async (request, reply) => {
    const scope = scopeOf(request, reply);
    if (!scope) return reply;
    const site = options.sites.site(scope.site);
    const devices = (site?.all() ?? [])
      .filter((d) => d.device.gateway === scope.gateway)
      .map((d) => d.device);
    return { site: scope.site, gateway: scope.gateway, devices };
  });
}

/**
 * What the platform says back to one gateway: what it refused of the gateway's
 * messages, and its clock (`now`), against which the gateway measures its own.
 */
export function registerFeedbackRoute(http: FastifyInstance, options: EnrolmentOptions): void {
  http.get('/api/gateway/feedback', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    const scope = header.startsWith('Bearer ')
      ? enrolmentScopeOf(options.tokens, header.slice(7).trim())
      : undefined;
    if (!scope)
      return reply
        .code(401)
        .send(coded('AUTH_FAILED', ['a valid gateway token in "Authorization: Bearer …"']));
    return {
      site: scope.site,
      gateway: scope.gateway,
      now: Date.now(),
      rejections: options.rejections.of(scope.site, scope.gateway),
    };
  });
}

function coded(code: string, issues: readonly string[]) {
  const words = describeCode(code);
  return { code, zh: words?.zh, en: words?.en, issues };
}
