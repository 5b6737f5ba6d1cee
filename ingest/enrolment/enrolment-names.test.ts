import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createServiceHttp } from '../../runtime/index.js';
import { DEMO_SITE_FILE, enrolledFileOf, hashEnrolmentToken } from '../../site/index.js';
import { SiteDirectory } from '../validation/site-directory.js';
import { registerEnrolmentRoutes } from './enrolment-routes.js';
import { RejectionBoard } from './rejection-board.js';

/**
 * A device's name reaches notifications (e-mail, webhooks, the terminal of `npm start`)
 * and every page. With a gateway's enrolment token anyone could name a device with line
 * breaks and terminal escapes (a forged "all clear" line in a fire alarm's e-mail) or a
 * megabyte of text; the API stored it. It is refused now with a coded answer.
 */
const TOKEN = 'enrolment-names-token-0123456789abcdef';

describe('enrolling a device with a hostile name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'enrolment-names-'));
  const siteFile = join(dir, 'village.yaml');
  let http: FastifyInstance;
  let url = '';

  const enrol = (name: string, id = 'canteen-fire-panel-2') =>
    fetch(`${url}/api/enrolment/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        device: {
          id,
          name,
          profile: 'gst-fire-panel',
          zone: 'dining',
          building: 'canteen',
          vendorId: 'panel_canteen_2',
        },
      }),
    });

  beforeAll(async () => {
    writeFileSync(siteFile, readFileSync(DEMO_SITE_FILE, 'utf8'));
    const logger = createLogger('enrolment-names', { level: 'silent' });
    http = createServiceHttp({ logger, registry: new Registry(), readiness: [] });
    registerEnrolmentRoutes(http, {
      tokens: [{ site: 'demo-village', gateway: 'gw-center', sha256: hashEnrolmentToken(TOKEN) }],
      siteFiles: [siteFile],
      sites: SiteDirectory.fromFiles([siteFile]),
      rejections: new RejectionBoard(),
      logger,
    });
    url = await http.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await http?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses control characters and an endless name with CONFIG_INVALID, and stores nothing', async () => {
    for (const name of ['食堂\r\n🔔 一切正常 all clear', '食堂\u001b[2J', '食'.repeat(10_000)]) {
      const answer = await enrol(name);
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { code: string }).code).toBe('CONFIG_INVALID');
    }
    expect(existsSync(enrolledFileOf(siteFile))).toBe(false);

    expect((await enrol('社区食堂二号火灾报警控制器')).status).toBe(201);
  });
});
