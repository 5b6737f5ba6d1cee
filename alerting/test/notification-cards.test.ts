import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, waitFor } from '../../runtime/index.js';
import { callApi, HttpReceiver, PageClient, SmtpReceiver } from '../../test/support/index.js';
import { FakeClock } from './fake-clock.js';
import { AlertingService } from '../service/alerting-service.js';
import { alertingConfigSchema } from '../service/config.js';
import { startBareBroker } from './support/broker.js';
import { CanonicalPublisher } from './support/canonical-publisher.js';

const TOKEN = 'cards-test-token-0123456789';
const DING_SECRET = 'SECcards-dingtalk';
const FEISHU_SECRET = 'cards-feishu';
const PUBLIC = 'https://alerts.village.example';
const EVERY_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * What each provider receives, as its robot API documents it: WeCom template_card
 * (and markdown), DingTalk actionCard, Feishu interactive card, each with "view" and
 * per-person "acknowledge" buttons; critical alerts @-mention the people on duty
 * (WeCom and DingTalk in a text message after the card, Feishu everyone in the card);
 * escalation reaches the roster's next step. Real HTTP receivers and a real SMTP server.
 */
describe('cards, mentions and links per provider', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'alerting-cards-'));
  const wecom = new HttpReceiver();
  const wecomMd = new HttpReceiver();
  const dingtalk = new HttpReceiver();
  const feishu = new HttpReceiver({ status: 200, body: { code: 0, msg: 'success', data: {} } });
  const bossHook = new HttpReceiver({ status: 200, body: { ok: true } });
  const smtp = new SmtpReceiver();
  const publisher = new CanonicalPublisher();
  const clock = new FakeClock(Date.now());
  let broker: Awaited<ReturnType<typeof startBareBroker>>;
  let service: AlertingService;

  const path = (url: string) => {
    const parsed = new URL(url);
    expect(parsed.origin).toBe(PUBLIC);
    return parsed.pathname;
  };

  beforeAll(async () => {
    broker = await startBareBroker();
    // Meters do not report here: with the clock moved on, they would all fall silent.
    const overrides = join(dataDir, 'rule-overrides.yaml');
    writeFileSync(overrides, 'version: 1\nrules:\n  - { id: meter-silent, enabled: false }\n');
    await Promise.all(
      [wecom, wecomMd, dingtalk, feishu, bossHook].map((r) => r.start()).concat(smtp.start()),
    );
    service = new AlertingService(
      alertingConfigSchema.parse({
        mqtt: { url: broker.url, clientId: 'alerting-cards-test' },
        http: { port: 0 },
        rules: { overrides: [join(dataDir, 'rule-overrides.yaml')] },
        publicUrl: PUBLIC,
        dataDir,
        tickMs: 50,
        api: { token: TOKEN },
        engine: { escalateAfterS: { critical: 900 }, remindEveryS: { critical: 0 } },
        people: [
          { id: 'li', name: '李值班', phone: '13900139000', role: 'operator' },
          { id: 'wang', name: '王值班', phone: '13800138000', role: 'operator' },
          { id: 'boss', name: '张站长', phone: '13700137000', role: 'admin' },
          { id: 'kid', name: '实习生', phone: '13600136000', role: 'viewer' },
        ],
        roster: {
          'demo-village': {
            shifts: [{ days: EVERY_DAY, from: '00:00', to: '24:00', people: ['li', 'wang', 'kid'] }],
            escalation: ['boss'],
          },
        },
        notifications: {
          publishMqtt: false,
          smtp: { host: '127.0.0.1', port: smtp.port, ignoreTLS: true, from: 'alerting@village.example' },
          retryBaseMs: 20,
          retryMaxMs: 100,
          contacts: [
            {
              id: 'wecom-group',
              name: '企业微信值班群',
              channels: [{ type: 'wecom', url: `${wecom.url}/send?key=a` }],
            },
            {
              id: 'wecom-old',
              name: '老版企业微信群',
              channels: [
                { type: 'wecom', url: `${wecomMd.url}/send?key=b`, format: 'markdown', mention: 'all' },
              ],
            },
            {
              id: 'dingtalk-group',
              name: '钉钉值班群',
              channels: [
                { type: 'dingtalk', url: `${dingtalk.url}/robot/send?access_token=t`, secret: DING_SECRET },
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
              id: 'wang-mail',
              name: '王值班邮箱',
              person: 'wang',
              channels: [{ type: 'email', to: ['wang@village.example'] }],
            },
            {
              id: 'boss-hook',
              name: '站长',
              person: 'boss',
              channels: [{ type: 'webhook', url: `${bossHook.url}/hook` }],
            },
          ],
          groups: [
            { id: 'robots', contacts: ['wecom-group', 'wecom-old', 'dingtalk-group', 'feishu-group'] },
          ],
          routes: [{ groups: ['robots', 'on-duty'], escalateTo: ['robots', 'escalation'] }],
        },
      }),
      { logger: createLogger('alerting-cards-test', { level: 'silent' }), clock },
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
    await Promise.all([wecom, wecomMd, dingtalk, feishu, bossHook].map((r) => r.stop()).concat(smtp.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  const fireId = () => service.engine.alerts({ ruleId: 'fire-alarm' })[0]?.id ?? '';

  it('sends each robot its own card with view and per-person acknowledge buttons, then @-mentions the people on duty', async () => {
    await publisher.event('canteen-fire-panel', 'fire_alarm', { loop: 1, point: 9 });
    await waitFor(
      'cards and mentions',
      () =>
        wecom.requests.length >= 2 &&
        dingtalk.requests.length >= 2 &&
        feishu.requests.length >= 1 &&
        smtp.messages.length >= 1,
    );

    // WeCom: template_card (text_notice), then a text message mentioning the two operators on duty.
    const [card, mention] = wecom.bodies();
    expect(card?.msgtype).toBe('template_card');
    const tc = card?.template_card as Json;
    expect(tc.card_type).toBe('text_notice');
    expect(tc.main_title.title).toContain('火灾报警');
    expect(tc.main_title.desc).toBe('社区食堂');
    expect(tc.horizontal_content_list).toContainEqual({ keyname: '片区', value: '餐饮' });
    expect(tc.horizontal_content_list.length).toBeLessThanOrEqual(6);
    expect(tc.jump_list.map((j: Json) => j.title)).toEqual(['确认（李值班）', '确认（王值班）', '查看告警']);
    expect(tc.jump_list.every((j: Json) => j.type === 1)).toBe(true);
    expect(path(tc.card_action.url)).toMatch(/^\/l\//);
    expect(mention?.msgtype).toBe('text');
    expect((mention?.text as Json).mentioned_mobile_list).toEqual(['13900139000', '13800138000']);
    expect((mention?.text as Json).content).toContain('火灾报警');
    // The viewer on the roster gets neither an acknowledge button nor a mention.
    expect(JSON.stringify(card)).not.toContain('实习生）');

    // WeCom markdown fallback: links inline, @all as configured.
    const [md, mdMention] = wecomMd.bodies();
    expect(md?.msgtype).toBe('markdown');
    expect((md?.markdown as Json).content).toMatch(
      /\[确认（王值班）\]\(https:\/\/alerts\.village\.example\/l\/[\w.-]+\)/,
    );
    expect((mdMention?.text as Json).mentioned_mobile_list).toEqual(['@all']);

    // DingTalk: signed, actionCard with buttons, then text with at.atMobiles and "@mobile" in the content.
    const dingUrl = new URL(dingtalk.requests[0]?.url ?? '', dingtalk.url);
    const ts = dingUrl.searchParams.get('timestamp') ?? '';
    expect(dingUrl.searchParams.get('sign')).toBe(
      createHmac('sha256', DING_SECRET).update(`${ts}\n${DING_SECRET}`).digest('base64'),
    );
    const [ding, dingMention] = dingtalk.bodies();
    expect(ding?.msgtype).toBe('actionCard');
    const ac = ding?.actionCard as Json;
    expect(ac.title).toContain('火灾报警');
    expect(ac.text).toContain('**片区**：餐饮');
    // The event is named by the title in words, never by its id.
    for (const body of [...wecom.bodies(), ...wecomMd.bodies(), ...dingtalk.bodies(), ...feishu.bodies()]) {
      expect(JSON.stringify(body)).not.toContain('fire_alarm');
    }
    expect(smtp.messages.map((m) => JSON.stringify(m)).join('\n')).not.toContain('fire_alarm');
    expect(ac.btns.map((b: Json) => b.title)).toEqual(['查看告警', '确认（李值班）', '确认（王值班）']);
    expect(dingMention?.msgtype).toBe('text');
    expect(dingMention?.at).toEqual({ atMobiles: ['13900139000', '13800138000'], isAtAll: false });
    expect((dingMention?.text as Json).content).toMatch(/^@13900139000 @13800138000 /);

    // Feishu: interactive card, red header, everyone mentioned, buttons with URLs, values as plain text.
    const fs = feishu.json(0);
    expect(fs.msg_type).toBe('interactive');
    expect(fs.sign).toBe(
      createHmac('sha256', `${String(fs.timestamp)}\n${FEISHU_SECRET}`)
        .update('')
        .digest('base64'),
    );
    const fcard = fs.card as Json;
    expect(fcard.header.template).toBe('red');
    expect(fcard.header.title.content).toContain('火灾报警');
    expect(JSON.stringify(fcard.elements)).toContain('<at id=all></at>');
    const buttons = fcard.elements.find((e: Json) => e.tag === 'action').actions as Json[];
    expect(buttons.map((b) => b.text.content)).toEqual(['查看告警', '确认（李值班）', '确认（王值班）']);
    expect(buttons.filter((b) => b.type === 'danger')).toHaveLength(2);
    expect(feishu.requests).toHaveLength(1); // the mention is in the card

    // Wang's own e-mail (he is on duty): one link for him alone.
    const mail = smtp.messages[0];
    expect(mail?.to).toEqual(['wang@village.example']);
    expect(mail?.text).toMatch(/确认收到：https:\/\/alerts\.village\.example\/l\/\S+/);
    expect(mail?.text).not.toContain('李值班');
  });

  it('acknowledges from the button in the WeCom card as that person, and tells the others without buttons', async () => {
    const tc = wecom.json(0).template_card as Json;
    const wangAck = path(tc.jump_list.find((j: Json) => j.title === '确认（王值班）').url);
    const phone = new PageClient(service.httpUrl);
    const page = await phone.get(wangAck);
    expect(page.status).toBe(200);
    expect(page.body).toContain('王值班 (wang)');
    const done = await phone.post(wangAck, {
      _csrf: phone.csrf(),
      comment: '[点我](http://evil.example) @all <font color=red>',
    });
    expect(done.status).toBe(200);
    const alert = (await callApi(service.httpUrl, TOKEN, 'GET', `/api/alerts/${fireId()}`)).json;
    expect(alert.ack).toMatchObject({ by: 'person:wang' });

    await waitFor('acknowledged notices', () =>
      wecomMd
        .bodies()
        .some((b) => String((b.markdown as Json | undefined)?.content ?? '').includes('［已确认］')),
    );
    const ackMd = String(
      (
        wecomMd
          .bodies()
          .find((b) => String((b.markdown as Json | undefined)?.content ?? '').includes('［已确认］'))
          ?.markdown as Json
      ).content,
    );
    expect(ackMd).toContain('王值班 (wang)');
    expect(ackMd).not.toContain('](http://evil');
    expect(ackMd).not.toMatch(/(^|[^＠])@all/);
    expect(ackMd).not.toContain('<font');
    expect(ackMd).toContain('[查看告警](https://alerts.village.example/l/');
    expect(ackMd).not.toMatch(/\[确认/); // nothing left to acknowledge: only the view link
    // No second mention for an acknowledgement.
    expect(wecom.bodies().filter((b) => b.msgtype === 'text')).toHaveLength(1);
  });

  it('escalates an unacknowledged alert to the next step on the roster, first in the mentions', async () => {
    await publisher.event('clinic-fire-panel', 'fire_alarm', { loop: 2, point: 1 });
    await waitFor('clinic fire alarm notified', () =>
      dingtalk
        .bodies()
        .some((b) => String((b.actionCard as Json | undefined)?.text ?? '').includes('卫生室')),
    );
    expect(bossHook.requests).toHaveLength(0); // the boss is not on duty: no firing notice
    // Past escalateAfterS (900 s) of the alarm's own time, whatever this machine's pace.
    clock.advance(960_000);
    await waitFor('escalation to the boss', () => bossHook.bodies().some((b) => b.reason === 'escalation'));
    const hook = bossHook.bodies().find((b) => b.reason === 'escalation') as Json;
    expect(hook.people).toEqual(['boss']);
    expect(hook.links.map((l: Json) => l.label)).toEqual(['查看告警', '确认收到']);
    expect(hook.text).toContain('升级');

    await waitFor('escalation mention on DingTalk', () =>
      dingtalk
        .bodies()
        .some((b) => b.msgtype === 'text' && String((b.text as Json).content).includes('升级')),
    );
    // (Other rules may notify meanwhile, e.g. the fire linkage check of the same alarm.)
    const escalated = dingtalk
      .bodies()
      .filter((b) => b.msgtype === 'text' && String((b.text as Json).content).includes('升级'))
      .at(-1) as Json;
    expect(escalated.at.atMobiles).toEqual(['13700137000', '13900139000', '13800138000']);
  });

  it('sends a warning as a card without any mention', async () => {
    const before = wecom.requests.length;
    await publisher.event('clinic-camera', 'camera_offline');
    await waitFor('camera card', () => wecom.requests.length > before);
    await waitFor('camera card', () =>
      wecom
        .bodies()
        .slice(before)
        .some((b) => JSON.stringify(b).includes('摄像头离线')),
    );
    const cards = wecom
      .bodies()
      .slice(before)
      .filter((b) => JSON.stringify(b).includes('摄像头离线'));
    expect(cards[0]?.msgtype).toBe('template_card');
    expect((cards[0]?.template_card as Json).source.desc_color).toBe(1);
    expect(
      service.outbox.list().filter((d) => d.alert.ruleId === 'camera-offline' && d.part === 'mention'),
    ).toEqual([]);
  });
});
