import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertLinks, loadPageKeys } from '../../alerting/index.js';
import { waitFor } from '../../runtime/index.js';
import { AlertingVillage } from '../support/alerting-village.js';
import { HttpReceiver, PageClient, PhoneBrowser } from '../support/index.js';

const SHOTS = 'operators-phone';
const EVERY_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

interface WecomCard {
  msgtype: string;
  template_card?: { main_title: { title: string }; jump_list: Array<{ title: string; url: string }> };
  text?: { mentioned_mobile_list: string[] };
}

/**
 * Issue 21's proof on the running stack: the simulator raises a fire alarm, a WeCom
 * robot (a real HTTP server answering like one) gets a card with a one-tap link for
 * the operator on duty, and a phone browser logs in, sees the alarm, acknowledges it
 * from that link, and sees the state change on the page and in the API. Tampered and
 * expired links are refused, a viewer cannot acknowledge. Screenshots (zh) go to
 * test-artifacts/operators-phone/.
 */
describe('an operator acts on a fire alarm from the phone', () => {
  const wecom = new HttpReceiver();
  const browser = new PhoneBrowser();
  let village: AlertingVillage;
  let base: string;
  let admin: BrowserContext;
  let adminPage: Page;
  let alertId = '';
  let card: WecomCard;

  const api = async (path: string) => {
    const response = await fetch(`${base}${path}`, {
      headers: { authorization: `Bearer ${village.stack.secrets.alertingApiToken}` },
    });
    return (await response.json()) as Record<string, unknown>;
  };
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: browser.screenshotPath(SHOTS, name), fullPage: true });

  beforeAll(async () => {
    await wecom.start();
    village = new AlertingVillage({
      name: 'operators-phone',
      alertingConfig: {
        people: [
          { id: 'wang', name: '王值班', phone: '13800138000', role: 'operator' },
          { id: 'kid', name: '实习生', phone: '13600136000', role: 'viewer' },
        ],
        roster: {
          'demo-village': { shifts: [{ days: EVERY_DAY, people: ['wang', 'kid'] }], escalation: ['admin'] },
        },
        notifications: {
          contacts: [
            {
              id: 'duty-chat',
              name: '值班企业微信群',
              channels: [{ type: 'wecom', url: `${wecom.url}/cgi-bin/webhook/send?key=k` }],
            },
          ],
          groups: [{ id: 'duty', contacts: ['duty-chat'] }],
          routes: [{ severities: ['critical'], groups: ['duty'] }],
        },
      },
    });
    await village.start();
    base = `http://127.0.0.1:${village.stack.ports.alertingHttp}`;
    await browser.start();
    admin = await browser.phone();
    adminPage = await admin.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser.stop();
    await village?.stop();
    await wecom.stop();
  }, 60_000);

  it('delivers the simulator’s fire alarm to WeCom as a card with the on-duty operator’s button, and @-mentions him', async () => {
    await village.injectFault('fire-alarm', 'canteen-fire-panel');
    card = await waitFor(
      'the WeCom card',
      () => wecom.bodies().find((b) => b.msgtype === 'template_card') as WecomCard | undefined,
      { timeoutMs: 60_000 },
    );
    expect(card.template_card?.main_title.title).toContain('火灾报警');
    expect(card.template_card?.jump_list.map((j) => j.title)).toEqual(['确认收到', '查看告警']);
    const mention = await waitFor(
      'the mention',
      () => wecom.bodies().find((b) => b.msgtype === 'text') as WecomCard | undefined,
    );
    expect(mention.text?.mentioned_mobile_list).toEqual(['13800138000']);
    const alerts = (await api('/api/alerts?rule=fire-alarm&state=firing')).alerts as Array<{
      id: string;
      device: string;
    }>;
    alertId = alerts.find((a) => a.device === 'canteen-fire-panel')?.id ?? '';
    expect(alertId).not.toBe('');
  }, 90_000);

  it('shows the alarm to the admin who logs in on a phone', async () => {
    await adminPage.goto(`${base}/`);
    await adminPage.locator('#login').fill('admin');
    await adminPage.locator('#password').fill(village.stack.secrets.operatorsAdminPassword);
    await adminPage.locator('#login-button').tap();
    const fire = adminPage.locator(`a.card[data-alert="${alertId}"]`);
    await fire.waitFor();
    expect(await fire.innerText()).toContain('火灾报警');
    expect(await fire.innerText()).toContain('社区食堂');
    expect(await adminPage.locator('#on-duty').innerText()).toContain('王值班');
    await shot(adminPage, '1-alert-list');
  });

  it('refuses a tampered and an expired link with a clear page, and changes nothing', async () => {
    const ack = card.template_card?.jump_list.find((j) => j.title === '确认收到')?.url ?? '';
    const phone = await browser.phone();
    const page = await phone.newPage();
    const tampered = ack.slice(0, -3) + (ack.endsWith('AAA') ? 'BBB' : 'AAA');
    const forged = await page.goto(tampered);
    expect(forged?.status()).toBe(403);
    expect(await page.locator('h1').innerText()).toContain('链接无效');
    await shot(page, '2-link-tampered');

    // Signed with this stack's own key (read from its data folder), but expired an hour ago.
    const keys = loadPageKeys(undefined, join(village.stack.dataDir, 'alerting'));
    const late = new AlertLinks(
      keys,
      () => base,
      60_000,
      () => Date.now() - 3600_000,
    );
    const expired = await page.goto(late.url(alertId, 'person:wang', 'ack'));
    expect(expired?.status()).toBe(410);
    expect(await page.locator('h1').innerText()).toContain('链接已过期');
    await shot(page, '3-link-expired');
    expect(((await api(`/api/alerts/${alertId}`)) as { ack?: unknown }).ack).toBeUndefined();
    await phone.close();
  });

  it('does not let a viewer acknowledge, on the page or with a link', async () => {
    const client = new PageClient(base);
    expect(await client.login('admin', village.stack.secrets.operatorsAdminPassword)).toBe(true);
    await client.get('/people');
    await client.post('/people/kid', {
      _csrf: client.csrf(),
      do: 'reset-password',
      name: '实习生',
      phone: '13600136000',
      role: 'viewer',
    });
    const password = /id="new-password">([^<]+)</.exec(client.lastBody)?.[1] ?? '';
    const phone = await browser.phone();
    const page = await phone.newPage();
    await page.goto(`${base}/alerts/${alertId}`);
    await page.locator('#login').fill('kid');
    await page.locator('#password').fill(password);
    await page.locator('#login-button').tap();
    await page.locator('#read-only').waitFor();
    expect(await page.locator('#ack-form').count()).toBe(0);
    await shot(page, '4-viewer-read-only');
    const keys = loadPageKeys(undefined, join(village.stack.dataDir, 'alerting'));
    const links = new AlertLinks(keys, () => base, 3600_000);
    const refused = await page.goto(links.url(alertId, 'person:kid', 'ack'));
    expect(refused?.status()).toBe(403);
    expect(((await api(`/api/alerts/${alertId}`)) as { ack?: unknown }).ack).toBeUndefined();
    await phone.close();
  });

  it('acknowledges from the link in the WeCom card in one tap, and the page and the API show it', async () => {
    const ack = card.template_card?.jump_list.find((j) => j.title === '确认收到')?.url ?? '';
    expect(ack.startsWith(`${base}/l/`)).toBe(true);
    const phone = await browser.phone(); // Wang's phone: never logged in
    const page = await phone.newPage();
    await page.goto(ack);
    await page.locator('#ack-button').waitFor();
    expect(await page.locator('#link-for').innerText()).toContain('王值班');
    await shot(page, '5-link-opened');
    await page.locator('#ack-button').tap();
    await page.locator('#done').waitFor();
    expect(await page.locator('#done').innerText()).toContain('已确认');
    await shot(page, '6-acknowledged');

    const alert = (await api(`/api/alerts/${alertId}`)) as { ack?: { by: string }; state: string };
    expect(alert.ack?.by).toBe('person:wang');
    await adminPage.goto(`${base}/`);
    expect(await adminPage.locator(`a.card[data-alert="${alertId}"]`).innerText()).toContain(
      '已确认：王值班 (wang)',
    );
    await adminPage.goto(`${base}/alerts/${alertId}`);
    expect(await adminPage.locator('ol.timeline').innerText()).toContain('王值班 (wang)');
    await shot(adminPage, '7-page-after-ack');

    // The same link again: used.
    const again = await page.goto(ack);
    expect(again?.status()).toBe(409);
    await phone.close();
  }, 60_000);

  it('shows the alarm resolved once the panel is reset', async () => {
    await village.clearAllFaults();
    await waitFor(
      'resolved',
      async () => ((await api(`/api/alerts/${alertId}`)) as { state: string }).state === 'resolved',
      { timeoutMs: 60_000 },
    );
    await adminPage.goto(`${base}/`);
    await adminPage.locator(`a.card.resolved[data-alert="${alertId}"]`).waitFor();
    await shot(adminPage, '8-resolved');
  }, 90_000);
});
