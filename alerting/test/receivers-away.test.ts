import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, freePort, waitFor } from '../../runtime/index.js';
import { HttpReceiver, SmtpReceiver, TcpProxy } from '../../test/support/index.js';
import { AlertingService } from '../service/alerting-service.js';
import { alertingConfigSchema } from '../service/config.js';
import { startBareBroker } from './support/broker.js';
import { CanonicalPublisher } from './support/canonical-publisher.js';
import { RETRYING_SOON } from './support/retrying-soon.js';

const PANEL = 'canteen-fire-panel';

/**
 * A village's receivers go away under a running alerting service: the WeCom robot's
 * endpoint resets connections mid-request and then stops answering, the SMTP relay
 * refuses at its greeting and then its link drops every connection. Alerting keeps
 * running (no unhandled error: vitest fails the run on one) and the fire alarm raised
 * meanwhile reaches each receiver once it is back.
 */
describe('alerting while its notification receivers are away', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'alerting-receivers-away-'));
  const wecom = new HttpReceiver();
  const smtp = new SmtpReceiver();
  const publisher = new CanonicalPublisher();
  let smtpLink: TcpProxy;
  let broker: Awaited<ReturnType<typeof startBareBroker>>;
  let service: AlertingService | undefined;

  beforeAll(async () => {
    broker = await startBareBroker();
    await Promise.all([wecom.start(), smtp.start()]);
    smtpLink = new TcpProxy(await freePort(), smtp.port);
    await smtpLink.start();
    await publisher.start(broker.url);
  });

  afterAll(async () => {
    await publisher.stop();
    await service?.stop();
    await broker?.stop();
    await smtpLink?.stop();
    await Promise.all([wecom.stop(), smtp.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps running while WeCom resets and hangs and SMTP refuses and drops, then delivers the fire alarm to both', async () => {
    const config = alertingConfigSchema.parse({
      mqtt: { url: broker.url, clientId: 'alerting-receivers-away-test' },
      http: { port: 0 },
      dataDir,
      tickMs: 50,
      api: { tokens: ['receivers-away-token-0123456789'] },
      notifications: {
        ...RETRYING_SOON,
        timeoutMs: 500,
        smtp: {
          host: '127.0.0.1',
          port: smtpLink.listenPort,
          ignoreTLS: true,
          from: 'alerting@village.example',
        },
        contacts: [
          {
            id: 'duty',
            name: '值班员',
            channels: [
              { type: 'wecom', url: `${wecom.url}/cgi-bin/webhook/send?key=abc` },
              { type: 'email', to: ['duty@village.example'] },
            ],
          },
        ],
        groups: [{ id: 'duty', contacts: ['duty'] }],
        routes: [{ severities: ['critical'], groups: ['duty'] }],
      },
    });
    const svc = new AlertingService(config, { logger: createLogger('alerting-test', { level: 'silent' }) });
    service = svc;
    await svc.start();
    await waitFor('subscribed', () => svc.ready);

    wecom.failure = 'reset';
    smtp.busy = true;
    await publisher.event(PANEL, 'fire_alarm', { loop: 2, point: 17 });
    await waitFor(
      'WeCom reset and SMTP refused a few times',
      () => wecom.failed >= 3 && smtp.refusedConnections >= 3,
    );

    wecom.failure = 'hang';
    smtp.busy = false;
    smtpLink.cut();
    const failedBefore = wecom.failed;
    await waitFor('WeCom left a few attempts unanswered', () => wecom.failed >= failedBefore + 2);

    wecom.failure = undefined;
    smtpLink.restore();
    await waitFor(
      'the fire alarm on WeCom and by e-mail',
      () => wecom.requests.length >= 1 && smtp.messages.length >= 1,
      {
        timeoutMs: 15_000,
      },
    );
    expect(JSON.stringify(wecom.json(0))).toContain('火灾报警');
    expect(smtp.messages[0]!.subject).toContain('火灾报警');
    expect(svc.ready).toBe(true);
  });
});
