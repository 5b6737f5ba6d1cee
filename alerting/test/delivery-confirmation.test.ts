import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, waitFor } from '../../runtime/index.js';
import { callApi, HttpReceiver, PageClient, SmtpReceiver } from '../../test/support/index.js';
import { AlertingService } from '../service/alerting-service.js';
import { alertingConfigSchema } from '../service/config.js';
import { startBareBroker } from './support/broker.js';
import { CanonicalPublisher } from './support/canonical-publisher.js';

const TOKEN = 'test-token-0123456789abcdef';
const ADMIN_PASSWORD = 'confirm-admin-password';
const WECOM_REFUSED = { status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url, hint: [x]' } };

interface ApiDelivery {
  key: string;
  channelId: string;
  status: string;
  attempts: number;
  lastError?: string;
  ruleId: string;
  alertId: string;
  updatedAt: number;
  nextAttemptAt: number;
}

interface ApiChannel {
  channelId: string;
  failing: boolean;
  consecutiveFailures: number;
  lastError?: string;
  lastSuccessAt?: number;
}

/**
 * Delivery counts only when the receiver confirms it the way its provider does:
 * WeCom and DingTalk `errcode` 0, Feishu `code` 0, SMTP accepting every recipient, a
 * webhook's 2xx (no redirect). Real HTTP and SMTP servers stand in for the providers.
 */
describe('delivery is confirmed, or retried and reported', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'alerting-confirm-'));
  const wecom = new HttpReceiver(WECOM_REFUSED);
  const dingtalk = new HttpReceiver();
  const portal = new HttpReceiver({ status: 200, body: '<html>请先登录 Wi-Fi / captive portal</html>' });
  const feishu = new HttpReceiver({
    status: 200,
    body: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' },
  });
  const elsewhere = new HttpReceiver({ status: 200, body: { ok: true } });
  const moved = new HttpReceiver({ status: 302, body: '' });
  const smtp = new SmtpReceiver();
  const publisher = new CanonicalPublisher();
  let broker: Awaited<ReturnType<typeof startBareBroker>>;
  let service: AlertingService;

  const api = async (path: string) => (await callApi(service.httpUrl, TOKEN, 'GET', path)).json;
  const deliveries = async (status = 'pending,sending,delivered,failed') =>
    (await api(`/api/deliveries?status=${status}`)).deliveries as ApiDelivery[];
  const channel = async (id: string) =>
    ((await api('/api/channels')).channels as ApiChannel[]).find((c) => c.channelId === id);
  const texts = (receiver: HttpReceiver) => receiver.requests.map((r) => r.body);

  beforeAll(async () => {
    broker = await startBareBroker();
    await Promise.all([
      wecom.start(),
      dingtalk.start(),
      portal.start(),
      feishu.start(),
      elsewhere.start(),
      moved.start(),
      smtp.start(),
    ]);
    moved.answer = { status: 302, body: '', headers: { location: `${elsewhere.url}/hook` } };
    smtp.refusedRecipients.add('left-the-village@village.example');
    service = new AlertingService(
      alertingConfigSchema.parse({
        mqtt: { url: broker.url, clientId: 'alerting-confirm-test' },
        http: { port: 0 },
        dataDir,
        tickMs: 50,
        api: { token: TOKEN },
        page: { admin: { password: ADMIN_PASSWORD } },
        notifications: {
          publishMqtt: false,
          smtp: { host: '127.0.0.1', port: smtp.port, ignoreTLS: true, from: 'alerting@village.example' },
          retryBaseMs: 20,
          retryMaxMs: 200,
          maxAttempts: 100,
          channelFailingAfter: 3,
          timeoutMs: 2_000,
          contacts: [
            {
              id: 'wecom-group',
              name: '企业微信值班群',
              channels: [{ type: 'wecom', url: `${wecom.url}/send?key=k` }],
            },
            {
              id: 'dingtalk-group',
              name: '钉钉值班群',
              channels: [{ type: 'dingtalk', url: `${dingtalk.url}/robot/send?access_token=t` }],
            },
            {
              id: 'portal-robot',
              name: '被劫持的钉钉',
              channels: [{ type: 'dingtalk', url: `${portal.url}/robot/send?access_token=t` }],
            },
            {
              id: 'feishu-group',
              name: '飞书群',
              channels: [{ type: 'feishu', url: `${feishu.url}/hook/x` }],
            },
            {
              id: 'moved-hook',
              name: '搬走的 webhook',
              channels: [{ type: 'webhook', url: `${moved.url}/hook` }],
            },
            {
              id: 'mailbox',
              name: '旧邮箱',
              channels: [{ type: 'email', to: ['duty@village.example', 'left-the-village@village.example'] }],
            },
          ],
          groups: [
            { id: 'duty', contacts: ['wecom-group', 'dingtalk-group'] },
            { id: 'broken', contacts: ['portal-robot', 'feishu-group', 'moved-hook', 'mailbox'] },
          ],
          routes: [
            { severities: ['critical'], groups: ['duty'] },
            { zones: ['public-services'], severities: ['warning'], groups: ['broken'] },
          ],
        },
      }),
      { logger: createLogger('alerting-confirm-test', { level: 'silent' }) },
    );
    await service.start();
    await waitFor('alerting subscribed', () => service.ready);
    await publisher.start(broker.url);
    await publisher.status('online');
  });

  afterAll(async () => {
    await publisher.stop();
    await service?.stop();
    await broker?.stop();
    await Promise.all(
      [wecom, dingtalk, portal, feishu, elsewhere, moved].map((r) => r.stop()).concat(smtp.stop()),
    );
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('retries a WeCom robot that answers errcode, raises the channel alert on DingTalk, and clears it once WeCom takes messages again', async () => {
    await publisher.event('canteen-fire-panel', 'fire_alarm', { loop: 1, point: 3 });

    const channelAlert = await waitFor('channel alert firing', async () => {
      const alerts = (await api('/api/alerts?rule=notification-channel-failing&state=firing'))
        .alerts as Array<{
        id: string;
        subject: string;
        severity: string;
        detail: { zh: string; en: string };
      }>;
      return alerts.find((a) => a.subject === 'wecom-group-0');
    });
    expect(channelAlert.severity).toBe('critical');
    expect(channelAlert.detail.zh).toContain('企业微信值班群');
    expect(channelAlert.detail.zh).toContain('errcode 93000');

    // HTTP 200 with errcode 93000 is not a delivery: still pending, retried, the reason kept.
    const fireToWecom = (await deliveries()).find(
      (d) => d.ruleId === 'fire-alarm' && d.channelId === 'wecom-group-0',
    );
    expect(fireToWecom?.status).not.toBe('delivered');
    expect(fireToWecom?.attempts).toBeGreaterThanOrEqual(3);
    expect(fireToWecom?.lastError).toContain('WeCom answered errcode 93000: invalid webhook url');
    expect(wecom.requests.length).toBeGreaterThanOrEqual(3);

    // The other channel hears of the fire and of the dead channel; the dead channel is not asked to carry its own alert.
    await waitFor('DingTalk told of the failing channel', () =>
      texts(dingtalk).some((t) => t.includes('告警通知通道故障') && t.includes('errcode 93000')),
    );
    expect(texts(dingtalk).some((t) => t.includes('火灾报警'))).toBe(true);
    expect(texts(wecom).some((t) => t.includes('告警通知通道故障'))).toBe(false);
    expect(await channel('wecom-group-0')).toMatchObject({ failing: true });
    expect((await channel('wecom-group-0'))?.consecutiveFailures).toBeGreaterThanOrEqual(3);
    expect(await channel('dingtalk-group-0')).toMatchObject({ failing: false, consecutiveFailures: 0 });
    const metrics = await (await fetch(`${service.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/alerting_notification_channel_failing\{[^}]*channel="wecom-group-0"[^}]*\} 1/);
    // The operators' page says so above everything else.
    const page = new PageClient(service.httpUrl);
    expect(await page.login('admin', ADMIN_PASSWORD)).toBe(true);
    const banner =
      /<div class="banner" id="channels-failing">([^]*?)<\/div>/.exec((await page.get('/')).body)?.[1] ?? '';
    expect(banner).toContain('企业微信值班群 (wecom-group-0)');
    expect(banner).toContain('errcode 93000');
    expect(metrics).toMatch(
      /alerting_notification_channel_failing\{[^}]*channel="dingtalk-group-0"[^}]*\} 0/,
    );

    // The robot is fixed: the queued fire alarm goes through and the channel alert resolves.
    wecom.answer = { status: 200, body: { errcode: 0, errmsg: 'ok' } };
    await waitFor('fire alarm delivered to WeCom', async () =>
      (await deliveries('delivered')).some(
        (d) => d.ruleId === 'fire-alarm' && d.channelId === 'wecom-group-0',
      ),
    );
    await waitFor('channel alert resolved', async () => {
      const alert = (await api(`/api/alerts/${channelAlert.id}`)) as { state: string };
      return alert.state === 'resolved';
    });
    await waitFor('DingTalk told the channel is back', () =>
      texts(dingtalk).some((t) => t.includes('告警通知通道故障') && t.includes('已恢复')),
    );
    expect(await channel('wecom-group-0')).toMatchObject({ failing: false, consecutiveFailures: 0 });
    expect((await channel('wecom-group-0'))?.lastSuccessAt).toBeGreaterThan(0);
    expect((await page.get('/')).body).not.toContain('wecom-group-0');
  });

  it('counts a captive portal page, a Feishu code, a redirect and a refused recipient as failures, never as deliveries', async () => {
    await publisher.event('clinic-camera', 'camera_offline');
    const failed = await waitFor('every broken channel tried twice', async () => {
      const list = (await deliveries('pending,sending,failed')).filter((d) => d.ruleId === 'camera-offline');
      return list.length === 4 && list.every((d) => d.attempts >= 2 && d.lastError) ? list : undefined;
    });
    const errorOf = (channelId: string) => failed.find((d) => d.channelId === channelId)?.lastError ?? '';
    expect(errorOf('portal-robot-0')).toContain('DingTalk gave no JSON answer');
    expect(errorOf('feishu-group-0')).toContain('Feishu answered code 19021: sign match fail');
    expect(errorOf('moved-hook-0')).toContain('HTTP 302: redirect refused');
    expect(errorOf('mailbox-0')).toContain('SMTP refused left-the-village@village.example');
    expect(elsewhere.requests).toEqual([]);
    // The relay took it for duty@ but refused the other mailbox: not delivered (retries reuse the Message-ID).
    expect(smtp.messages.length).toBeGreaterThanOrEqual(1);
    expect(new Set(smtp.messages.map(({ raw }) => /^Message-ID: (.*)$/im.exec(raw)?.[1])).size).toBe(1);
    expect((await deliveries('delivered')).filter((d) => d.ruleId === 'camera-offline')).toEqual([]);

    // Each of them is reported on the duty channels, which work.
    await waitFor('four channel alerts', async () => {
      const alerts = (await api('/api/alerts?rule=notification-channel-failing&state=firing'))
        .alerts as Array<{
        subject: string;
      }>;
      const subjects = alerts.map((a) => a.subject).sort();
      return ['feishu-group-0', 'mailbox-0', 'moved-hook-0', 'portal-robot-0'].every((s) =>
        subjects.includes(s),
      );
    });
  });
});
