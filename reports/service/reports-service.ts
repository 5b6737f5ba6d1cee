import type { FastifyInstance } from 'fastify';
import {
  bearerMatches,
  createLogger,
  createMetricsRegistry,
  createServiceHttp,
  metricsOn,
  type Logger,
} from '../../runtime/index.js';
import type { ReportsConfig } from '../config.js';
import { CONTENT_TYPES } from '../render/render-report.js';
import { reportRequestSchema, resolveRequest } from '../report-request.js';
import { MonthlyMailer } from './monthly-mail.js';
import { ReportMaker } from './report-maker.js';

/** Reports wait their turn: each holds a month of minutes and maybe a browser. */
const MAX_WAITING = 4;

/**
 * The reports service: `GET /api/reports?site=&month=|from=&to=&format=` behind its own
 * bearer tokens (they open reports and nothing else), /healthz, /readyz (InfluxDB answers),
 * /metrics, and the monthly e-mail. A service of its own, not a route of alerting: a
 * month of data and a headless browser must never slow the path that wakes an operator.
 */
export class ReportsService {
  private app: FastifyInstance | undefined;
  private mailer: MonthlyMailer | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(
    private readonly config: ReportsConfig,
    private readonly options: { logger?: Logger; now?: () => number } = {},
  ) {}

  get url(): string {
    const address = this.app?.server.address();
    if (!address || typeof address === 'string') throw new Error('reports service is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<void> {
    const { config } = this;
    const logger = this.options.logger ?? createLogger('reports');
    const registry = createMetricsRegistry('reports');
    const { counter, histogram } = metricsOn(registry);
    const made = counter('reports_generated_total', 'Reports generated', ['format', 'via']);
    const failed = counter('reports_failed_total', 'Reports that failed', ['via']);
    const seconds = histogram(
      'report_duration_seconds',
      'Time to build and render one report',
      [1, 5, 15, 30, 60, 120, 300],
    );
    const target = {
      url: config.influx.url,
      username: config.influx.username,
      password: config.influx.password,
    };
    const maker = new ReportMaker({
      target,
      database: config.influx.database,
      siteFiles: config.siteFiles,
      ruleFiles: config.ruleFiles,
    });
    const app = createServiceHttp({
      logger,
      registry,
      https: config.http.https,
      readiness: [
        {
          name: 'influxdb',
          check: async () =>
            (await fetch(`${config.influx.url}/ping`, { signal: AbortSignal.timeout(3000) })).status === 204,
        },
      ],
    });
    app.get('/api/reports', async (request, reply) => {
      if (!bearerMatches(request.headers.authorization, config.apiTokens)) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({
          code: 'AUTH_FAILED',
          message: '认证失败 / Authentication failed: send Authorization: Bearer <report token>',
        });
      }
      const parsed = reportRequestSchema.safeParse(request.query);
      if (!parsed.success) {
        return reply.code(400).send({
          code: 'REPORT_REQUEST_INVALID',
          message: '请求参数有误 / Bad report request',
          issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`),
        });
      }
      let resolved;
      try {
        resolved = resolveRequest(parsed.data, maker.sites);
      } catch (error) {
        return reply.code(404).send({ code: 'SITE_UNKNOWN', message: (error as Error).message });
      }
      if (this.waiting >= MAX_WAITING) {
        return reply
          .code(429)
          .header('retry-after', '60')
          .send({ code: 'BUSY', message: '报表生成繁忙 / Reports are busy, try again in a minute' });
      }
      this.waiting += 1;
      const stop = seconds.startTimer();
      const job = this.queue.then(() => maker.make(resolved.site, resolved.period, [resolved.format]));
      this.queue = job.catch(() => undefined);
      try {
        const { files } = await job;
        const file = files[0] as { name: string; content: Buffer };
        made.inc({ format: resolved.format, via: 'api' });
        return reply
          .header('content-type', CONTENT_TYPES[resolved.format])
          .header('content-disposition', `attachment; filename="${file.name}"`)
          .header('cache-control', 'no-store')
          .send(file.content);
      } catch (error) {
        failed.inc({ via: 'api' });
        request.log.error({ err: (error as Error).message }, 'report failed');
        return reply.code(502).send({
          code: 'REPORT_FAILED',
          message: '报表生成失败 / The report could not be made (is InfluxDB up?)',
        });
      } finally {
        stop();
        this.waiting -= 1;
      }
    });
    await app.listen({ host: config.http.host, port: config.http.port });
    this.app = app;
    this.mailer = new MonthlyMailer(
      maker,
      config.mail,
      logger.child({ component: 'reports.mail' }),
      this.options.now,
      () => made.inc({ format: 'pdf+xlsx', via: 'mail' }),
    );
    this.mailer.start();
    logger.info(
      { url: this.url, sites: maker.sites.map((s) => s.site.id), mailTo: config.mail.to.length },
      'reports service ready',
    );
  }

  async stop(): Promise<void> {
    this.mailer?.stop();
    await this.queue;
    await this.app?.close();
  }
}
