import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, freePort, waitFor } from '../../runtime/index.js';
import { HttpReceiver } from '../../test/support/index.js';
import { AlertingService } from '../service/alerting-service.js';
import { alertingConfigSchema } from '../service/config.js';
import { startBareBroker } from './support/broker.js';
import { CanonicalPublisher } from './support/canonical-publisher.js';

const PANELS = [
  'maker-hall-fire-panel',
  'fab-lab-fire-panel',
  'exchange-hall-fire-panel',
  'incubator-fire-panel',
  'culture-house-fire-panel',
  'canteen-fire-panel',
];

/**
 * A receiver that takes requests and never answers (an overloaded relay, a hung SMTP
 * gateway): each attempt on it holds its slot until the channel's timeout.
 */
class SilentReceiver {
  readonly requests: Array<ServerResponse<IncomingMessage>> = [];
  private readonly server: Server = createServer((_request, response) => this.requests.push(response));
  url = '';

  async start(): Promise<void> {
    const port = await freePort();
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('a channel that does not answer holds back only its own notifications', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'alerting-slow-channel-'));
  const duty = new HttpReceiver();
  const stuck = new SilentReceiver();
  const publisher = new CanonicalPublisher();
  let broker: Awaited<ReturnType<typeof startBareBroker>>;
  let service: AlertingService | undefined;

  beforeAll(async () => {
    broker = await startBareBroker();
    await Promise.all([duty.start(), stuck.start()]);
    await publisher.start(broker.url);
  });

  afterAll(async () => {
    await publisher.stop();
    await stuck.stop();
    await service?.stop();
    await broker?.stop();
    await duty.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("sends every fire alarm to the duty phone while another contact's relay hangs", async () => {
    const config = alertingConfigSchema.parse({
      mqtt: { url: broker.url, clientId: 'alerting-slow-channel-test' },
      http: { port: 0 },
      dataDir,
      tickMs: 50,
      api: { tokens: ['slow-channel-token-0123456789'] },
      notifications: {
        publishMqtt: false,
        // far longer than the test waits: a hung attempt keeps its slot throughout
        timeoutMs: 120_000,
        contacts: [
          { id: 'relay', name: '中继', channels: [{ type: 'webhook', url: `${stuck.url}/hook` }] },
          { id: 'duty', name: '值班员', channels: [{ type: 'webhook', url: `${duty.url}/hook` }] },
        ],
        groups: [{ id: 'everyone', contacts: ['relay', 'duty'] }],
        routes: [{ severities: ['critical'], groups: ['everyone'] }],
      },
    });
    const svc = new AlertingService(config, { logger: createLogger('alerting-test', { level: 'silent' }) });
    service = svc;
    await svc.start();
    await waitFor('subscribed', () => svc.ready);

    for (const panel of PANELS) await publisher.event(panel, 'fire_alarm');
    await waitFor(
      'every alarm on the duty phone',
      () =>
        PANELS.every((panel) =>
          duty.requests.some(
            (r) => r.body.includes(`"device":"${panel}"`) && /"reason":"firing"/.test(r.body),
          ),
        ),
      { timeoutMs: 20_000 },
    );
    // The relay took as many attempts as it may hold at once and answered none of them.
    expect(stuck.requests.length).toBeGreaterThanOrEqual(4);
    expect(stuck.requests.every((response) => !response.writableEnded)).toBe(true);
  });
});
