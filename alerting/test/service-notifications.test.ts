import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, freePort, waitFor } from '../../runtime/index.js';
import { AlertingService } from '../service/alerting-service.js';
import { alertingConfigSchema } from '../service/config.js';
import { webhookSignature } from '../notify/channels/webhook-sender.js';
import { startBareBroker } from './support/broker.js';
import { CanonicalPublisher } from './support/canonical-publisher.js';
import { callApi, HttpReceiver, SmtpReceiver } from '../../test/support/index.js';

const TOKEN = 'test-token-0123456789abcdef';
const WEBHOOK_SECRET = 'webhook-secret-0123456789';
const DING_SECRET = 'SECdingtalk-secret';
const FEISHU_SECRET = 'feishu-secret';

describe('AlertingService delivers to every channel', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'alerting-notify-'));
  const webhook = new HttpReceiver();
  const webhookEn = new HttpReceiver();
  const wecom = new HttpReceiver();
  const dingtalk = new HttpReceiver();
  const feishu = new HttpReceiver({ status: 200, body: { code: 0, msg: 'success' } });
  const smtp = new SmtpReceiver();
  const publisher = new CanonicalPublisher();
  const alertTopics: Array<{ topic: string; payload: Record<string, unknown> }> = [];
  let broker: Awaited<ReturnType<typeof startBareBroker>>;
  let service: AlertingService;
  let watcher: mqtt.MqttClient;
  let deadPort = 0;

  beforeAll(async () => {
    broker = await startBareBroker();
    await Promise.all([
      webhook.start(),
      webhookEn.start(),
      wecom.start(),
      dingtalk.start(),
      feishu.start(),
      smtp.start(),
    ]);
    deadPort = await freePort();
    const config = alertingConfigSchema.parse({
      mqtt: { url: broker.url, clientId: 'alerting-notify-test' },
      http: { port: 0 },
      dataDir,
      tickMs: 50,
      api: { token: TOKEN },
      publicUrl: 'http://alerting.example:9105',
      notifications: {
        smtp: { host: '127.0.0.1', port: smtp.port, ignoreTLS: true, from: 'alerting@village.example' },
        retryBaseMs: 10,
        retryMaxMs: 20,
        maxAttempts: 2,
        timeoutMs: 2_000,
        contacts: [
          {
            id: 'duty-zh',
            name: '值班员',
            channels: [
              { type: 'webhook', url: `${webhook.url}/hook`, secret: WEBHOOK_SECRET },
              { type: 'email', to: ['duty@village.example'] },
            ],
          },
          {
            id: 'engineer-en',
            name: 'Engineer',
            language: 'en',
            channels: [{ type: 'webhook', url: `${webhookEn.url}/hook` }],
          },
          {
            id: 'wecom-group',
            name: '企业微信群',
            channels: [{ type: 'wecom', url: `${wecom.url}/cgi-bin/webhook/send?key=abc` }],
          },
          {
            id: 'dingtalk-group',
            name: '钉钉群',
            channels: [
              { type: 'dingtalk', url: `${dingtalk.url}/robot/send?access_token=tok`, secret: DING_SECRET },
            ],
          },
          {
            id: 'feishu-group',
            name: '飞书群',
            channels: [
              { type: 'feishu', url: `${feishu.url}/open-apis/bot/v2/hook/x`, secret: FEISHU_SECRET },
            ],
          },
          {
            id: 'broken',
            name: 'broken endpoint',
            channels: [{ type: 'webhook', url: `http://127.0.0.1:${deadPort}/hook` }],
          },
        ],
        groups: [
          {
            id: 'duty',
            contacts: ['duty-zh', 'engineer-en', 'wecom-group', 'dingtalk-group', 'feishu-group'],
          },
          { id: 'nowhere', contacts: ['broken'] },
        ],
        routes: [
          { severities: ['critical'], groups: ['duty'] },
          { zones: ['public-services'], groups: ['nowhere'] },
        ],
      },
    });
    service = new AlertingService(config, { logger: createLogger('alerting-test', { level: 'silent' }) });
    await service.start();
    watcher = await mqtt.connectAsync(broker.url, { clientId: 'alert-watcher' });
    watcher.on('message', (topic, payload) =>
      alertTopics.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown> }),
    );
    await watcher.subscribeAsync('v1/+/alerts/+', { qos: 1 });
    await waitFor('alerting subscribed', () => service.ready);
    await publisher.start(broker.url);
    await publisher.status('online');
  });

  afterAll(async () => {
    await publisher.stop();
    await watcher?.endAsync();
    await service?.stop();
    await broker?.stop();
    await Promise.all([
      webhook.stop(),
      webhookEn.stop(),
      wecom.stop(),
      dingtalk.stop(),
      feishu.stop(),
      smtp.stop(),
    ]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a fire alarm reaches the signed webhook, WeCom, DingTalk, Feishu, e-mail and MQTT, in Chinese unless asked', async () => {
    await publisher.event('canteen-fire-panel', 'fire_alarm', { loop: 2, point: 17 });
    await waitFor(
      'all channels',
      () =>
        webhook.requests.length >= 1 &&
        webhookEn.requests.length >= 1 &&
        wecom.requests.length >= 1 &&
        dingtalk.requests.length >= 1 &&
        feishu.requests.length >= 1 &&
        smtp.messages.length >= 1 &&
        alertTopics.length >= 1,
    );

    // generic webhook: HMAC-SHA256 over "<timestamp>.<body>"
    const hook = webhook.requests[0]!;
    const timestamp = String(hook.headers['x-alert-timestamp']);
    expect(hook.headers['x-alert-signature']).toBe(webhookSignature(WEBHOOK_SECRET, timestamp, hook.body));
    expect(hook.headers['x-alert-signature']).toBe(
      `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(`${timestamp}.${hook.body}`).digest('hex')}`,
    );
    const body = webhook.json(0);
    expect(body.reason).toBe('firing');
    expect(body.idempotency_key).toBe(hook.headers['idempotency-key']);
    expect(body.alert).toMatchObject({
      ruleId: 'fire-alarm',
      severity: 'critical',
      zone: 'dining',
      device: 'canteen-fire-panel',
      state: 'firing',
    });
    expect(body.text).toContain('火灾报警');
    expect(body.text).toContain('片区：餐饮');
    expect(body.text).toContain('社区食堂');
    expect(body.text).toContain('GB 4717');
    // The alert on the operators' page, at the public URL (not a POST recipe for curl).
    expect(body.text).toMatch(/查看告警：http:\/\/alerting\.example:9105\/alerts\/al-[a-z0-9-]+$/m);
    expect(body.text).not.toContain('POST ');
    expect(webhookEn.json(0).text).toContain('Fire alarm');
    expect(webhookEn.json(0).text).toContain('Zone: Dining');
    expect(webhookEn.json(0).text).toContain('Device: Canteen fire alarm panel (canteen-fire-panel)');
    expect(webhookEn.requests[0]!.headers['x-alert-signature']).toBeUndefined();

    // WeCom robot: a template card (notification-cards.test.ts checks each provider's card in detail)
    const wecomBody = wecom.json(0) as { msgtype: string; template_card: { main_title: { title: string } } };
    expect(wecom.requests[0]!.url).toBe('/cgi-bin/webhook/send?key=abc');
    expect(wecomBody.msgtype).toBe('template_card');
    expect(wecomBody.template_card.main_title.title).toContain('火灾报警');

    // DingTalk robot: timestamp + sign query parameters
    const dingUrl = new URL(dingtalk.requests[0]!.url, dingtalk.url);
    const dingTs = dingUrl.searchParams.get('timestamp') ?? '';
    expect(dingUrl.searchParams.get('access_token')).toBe('tok');
    expect(dingUrl.searchParams.get('sign')).toBe(
      createHmac('sha256', DING_SECRET).update(`${dingTs}\n${DING_SECRET}`).digest('base64'),
    );
    const dingBody = dingtalk.json(0) as { msgtype: string; actionCard: { title: string; text: string } };
    expect(dingBody.msgtype).toBe('actionCard');
    expect(dingBody.actionCard.title).toContain('火灾报警');

    // Feishu robot: signed timestamp (seconds) in the body
    const feishuBody = feishu.json(0) as {
      timestamp: string;
      sign: string;
      msg_type: string;
      card: { header: { title: { content: string } } };
    };
    expect(feishuBody.timestamp).toMatch(/^\d{10}$/);
    expect(feishuBody.sign).toBe(
      createHmac('sha256', `${feishuBody.timestamp}\n${FEISHU_SECRET}`).update('').digest('base64'),
    );
    expect(feishuBody.msg_type).toBe('interactive');
    expect(feishuBody.card.header.title.content).toContain('火灾报警');

    // e-mail over SMTP, in Chinese
    const mail = smtp.messages[0]!;
    expect(mail.to).toEqual(['duty@village.example']);
    expect(mail.subject).toContain('火灾报警');
    expect(mail.subject).toContain('社区食堂');
    expect(mail.text).toContain('片区：餐饮');
    expect(mail.text).toContain('设备：社区食堂火灾报警控制器 (canteen-fire-panel)');

    // MQTT: v1/{site}/alerts/{ruleId}
    expect(alertTopics[0]?.topic).toBe('v1/demo-village/alerts/fire-alarm');
    expect(alertTopics[0]?.payload.reason).toBe('firing');
  });

  it('records a delivery that keeps failing, visible through the API and a metric', async () => {
    await publisher.event('clinic-camera', 'camera_offline');
    const failed = await waitFor('failed delivery', async () => {
      const { json } = await callApi(service.httpUrl, TOKEN, 'GET', '/api/deliveries?status=failed');
      const list = json.deliveries as Array<Record<string, unknown>>;
      return list.length > 0 ? list : undefined;
    });
    expect(failed[0]).toMatchObject({
      contactId: 'broken',
      channelType: 'webhook',
      attempts: 2,
      status: 'failed',
      ruleId: 'camera-offline',
    });
    expect(String(failed[0]?.lastError)).not.toBe('');
    const metrics = await (await fetch(`${service.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /alerting_notification_deliveries_total\{[^}]*channel="webhook"[^}]*outcome="failed"[^}]*\} 1/,
    );
    expect(metrics).toMatch(/alerting_notification_outbox\{[^}]*status="failed"[^}]*\} 1/);
  });

  it('protects the API with the bearer token, leaves health open, and counts invalid messages', async () => {
    expect((await fetch(`${service.httpUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${service.httpUrl}/readyz`)).status).toBe(200);
    expect((await callApi(service.httpUrl, undefined, 'GET', '/api/alerts')).status).toBe(401);
    expect((await callApi(service.httpUrl, 'wrong-token-0123456789', 'GET', '/api/alerts')).status).toBe(401);
    const { status, json } = await callApi(
      service.httpUrl,
      TOKEN,
      'GET',
      '/api/alerts?state=firing&severity=critical',
    );
    expect(status).toBe(200);
    expect((json.alerts as Array<{ ruleId: string }>).map((a) => a.ruleId)).toEqual(['fire-alarm']);
    const rules = (await callApi(service.httpUrl, TOKEN, 'GET', '/api/rules')).json.rules as Array<{
      id: string;
      counts: { firing: number };
    }>;
    expect(rules.find((r) => r.id === 'fire-alarm')?.counts.firing).toBe(1);

    await publisher.raw('v1/demo-village/gw-center/canteen-door/event', '{"not":"canonical"');
    await publisher.raw(
      'v1/demo-village/gw-center/canteen-door/event',
      JSON.stringify({ ts: 1, seq: 1, type: 'no_such_event' }),
    );
    await waitFor('invalid counted', async () => {
      const text = await (await fetch(`${service.httpUrl}/metrics`)).text();
      return /alerting_messages_total\{[^}]*kind="event"[^}]*outcome="invalid"[^}]*\} 2/.test(text);
    });
  });
});
