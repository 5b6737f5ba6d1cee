import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, waitFor } from '../../runtime/index.js';
import { callApi, PageClient, PhoneBrowser } from '../../test/support/index.js';
import { AlertingService } from '../service/alerting-service.js';
import { alertingConfigSchema } from '../service/config.js';
import { startBareBroker } from './support/broker.js';
import { CanonicalPublisher } from './support/canonical-publisher.js';

const TOKEN = 'page-browser-token-0123456789';
const ADMIN_PASSWORD = 'page-admin-password-0123';

/** The operators' page in a real browser at a phone's size: log in, see what fires by zone, act on it. */
describe('operators page on a phone', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'alerting-page-'));
  const publisher = new CanonicalPublisher();
  const browser = new PhoneBrowser();
  let broker: Awaited<ReturnType<typeof startBareBroker>>;
  let service: AlertingService;
  let operatorPassword = '';

  beforeAll(async () => {
    broker = await startBareBroker();
    service = new AlertingService(
      alertingConfigSchema.parse({
        mqtt: { url: broker.url, clientId: 'alerting-page-test' },
        http: { port: 0 },
        dataDir,
        tickMs: 50,
        api: { token: TOKEN },
        page: { admin: { password: ADMIN_PASSWORD } },
        notifications: { publishMqtt: false },
      }),
      { logger: createLogger('alerting-page-test', { level: 'silent' }) },
    );
    await service.start();
    await waitFor('alerting subscribed', () => service.ready);
    await publisher.start(broker.url);
    await publisher.status('online');
    await browser.start();
    // The admin adds an operator on the page; the password is shown once.
    const admin = new PageClient(service.httpUrl);
    expect(await admin.login('admin', ADMIN_PASSWORD)).toBe(true);
    await admin.get('/people');
    const added = await admin.post('/people', {
      _csrf: admin.csrf(),
      id: 'wang',
      name: '王值班',
      phone: '13800138000',
      role: 'operator',
    });
    operatorPassword = /id="new-password">([^<]+)</.exec(added.body)?.[1] ?? '';
    expect(operatorPassword).toHaveLength(16);
  });

  afterAll(async () => {
    await browser.stop();
    await publisher.stop();
    await service?.stop();
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows a fire alarm under its zone, and acknowledges it with a comment', async () => {
    await publisher.event('canteen-fire-panel', 'fire_alarm', { loop: 1, point: 7 });
    await publisher.event('clinic-camera', 'camera_offline');
    await waitFor('two alerts firing', () => service.engine.alerts({ state: 'firing' }).length === 2);

    const phone = await browser.phone();
    const page = await phone.newPage();
    await page.goto(`${service.httpUrl}/`);
    await page.locator('#login').fill('wang');
    await page.locator('#password').fill(operatorPassword);
    await page.locator('#login-button').tap();

    const fire = page.locator('a.card[data-rule="fire-alarm"]');
    await fire.waitFor();
    const zones = await page.locator('section.zone h2').allInnerTexts();
    expect(zones[0]).toContain('餐饮'); // the critical zone first
    expect(await fire.innerText()).toContain('火灾报警');
    expect(await fire.innerText()).toContain('社区食堂');
    expect(await fire.innerText()).toContain('严重');
    expect(await page.locator('a.card[data-rule="camera-offline"]').innerText()).toContain('卫生室');
    // Nothing is wider than the phone: no sideways scrolling at 3 a.m.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const listShot = browser.screenshotPath('operators-page', 'alert-list-zh');
    await page.screenshot({ path: listShot, fullPage: true });

    await fire.tap();
    await page.locator('#ack-button').waitFor();
    expect(await page.locator('dl.facts').innerText()).toContain('GB 4717');
    // The device by the site file's names, Chinese with English beside it.
    expect(await page.locator('dl.facts').innerText()).toContain(
      '社区食堂火灾报警控制器 Canteen fire alarm panel',
    );
    await page.locator('#ack-comment').fill('已到现场，误报排查中');
    await page.locator('#ack-button').tap();
    await page.locator('#done').waitFor();
    expect(await page.locator('#done').innerText()).toContain('已确认');
    expect(await page.locator('#ack-form').count()).toBe(0);
    expect(await page.locator('ol.timeline').innerText()).toContain('王值班 (wang)');
    await page.screenshot({
      path: browser.screenshotPath('operators-page', 'alert-acknowledged-zh'),
      fullPage: true,
    });

    const fireId = service.engine.alerts({ ruleId: 'fire-alarm' })[0]?.id ?? '';
    const api = (await callApi(service.httpUrl, TOKEN, 'GET', `/api/alerts/${fireId}`)).json;
    expect(api.ack).toMatchObject({ by: 'person:wang', comment: '已到现场，误报排查中' });

    // A note, then the list shows who acknowledged.
    await page.locator('#note-text').fill('烟感探头已复位');
    await page.locator('#note-form button').tap();
    await page.locator('#done').waitFor();
    expect(await page.locator('ol.timeline').innerText()).toContain('烟感探头已复位');
    await page.goto(`${service.httpUrl}/`);
    expect(await page.locator('a.card[data-rule="fire-alarm"]').innerText()).toContain('王值班');
    expect(statSync(listShot).size).toBeGreaterThan(10_000);
    await phone.close();
  });
});
