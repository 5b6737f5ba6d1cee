import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertingService, alertingConfigSchema } from '../../alerting/index.js';
import { topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import { NotificationInbox, formatInboxEntry } from '../../stack/index.js';
import { BareBroker, SmtpReceiver, quietLogger } from '../support/index.js';

/** Everything but a line feed that a terminal acts on, or that starts a line of its own. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** What a fire panel's interface card (or a gateway's credential) may put in an event's text. */
const HOSTILE_TEXT = '\u001b[2J\u001b[31mFAKE\r\n🔔 forged all clear\u001b]0;pwned\u0007\u202eevil';

describe('device text in notifications and on the operator’s terminal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'control-characters-'));
  const broker = new BareBroker();
  const smtp = new SmtpReceiver();
  const printed: string[] = [];
  const inbox = new NotificationInbox({
    port: 0,
    file: join(dir, 'notifications.log'),
    print: (entry) => printed.push(formatInboxEntry(entry)),
  });
  let service: AlertingService;
  let gateway: mqtt.MqttClient;

  beforeAll(async () => {
    await Promise.all([broker.start(), smtp.start(), inbox.start()]);
    const config = alertingConfigSchema.parse({
      mqtt: { url: broker.url, clientId: 'alerting-control-characters' },
      http: { host: '127.0.0.1', port: 0 },
      dataDir: join(dir, 'alerting'),
      tickMs: 50,
      api: { token: 'control-characters-token-0123456789' },
      notifications: {
        publishMqtt: false,
        smtp: { host: '127.0.0.1', port: smtp.port, ignoreTLS: true, from: 'alerting@village.example' },
        contacts: [
          {
            id: 'duty',
            name: '值班员',
            channels: [
              { type: 'webhook', url: inbox.url, secret: inbox.secret },
              { type: 'email', to: ['duty@village.example'] },
            ],
          },
        ],
        groups: [{ id: 'duty', contacts: ['duty'] }],
        routes: [{ severities: ['critical'], groups: ['duty'] }],
      },
    });
    service = new AlertingService(config, { logger: quietLogger() });
    await service.start();
    await waitFor('alerting subscribed', () => service.ready);
    gateway = await mqtt.connectAsync(broker.url, { clientId: 'gw-center-test', reconnectPeriod: 0 });
  });

  afterAll(async () => {
    await gateway?.endAsync();
    await service?.stop();
    await Promise.all([inbox.stop(), smtp.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('cannot drive the terminal or forge a line: its control characters arrive inert, its words kept', async () => {
    const event = {
      ts: Date.now(),
      seq: 1,
      type: 'fire_alarm',
      data: { loop: 1, device_type: HOSTILE_TEXT },
    };
    await gateway.publishAsync(
      topics.event('demo-village', 'gw-center', 'canteen-fire-panel'),
      JSON.stringify(event),
      { qos: 1 },
    );
    await waitFor('the fire alarm printed and mailed', () => printed.length > 0 && smtp.messages.length > 0);

    const terminal = printed[0]!;
    expect(terminal).toContain('FAKE');
    expect(terminal).not.toMatch(CONTROL);
    // One 🔔 line, the notification's own; the forged one stays inside the detail line.
    expect(terminal.split('\n').filter((line) => line.trimStart().startsWith('🔔'))).toHaveLength(1);

    const mail = smtp.messages[0]!.text;
    expect(mail).toContain('FAKE');
    expect(mail.split(/\r?\n/).filter((line) => line.includes('forged all clear'))).toEqual([
      expect.stringContaining('FAKE'),
    ]);
    expect(mail.replace(/\r\n/g, '\n')).not.toMatch(CONTROL);
  });
});
