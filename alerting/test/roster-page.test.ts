import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../runtime/index.js';
import { PageClient } from '../../test/support/index.js';
import { AlertingService } from '../service/alerting-service.js';
import { alertingConfigSchema } from '../service/config.js';

const ADMIN_PASSWORD = 'roster-admin-password-1';
const EVERY_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** The duty roster: from the YAML config, edited by an admin on the page, the YAML again when it changes. */
describe('duty roster on the page', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'alerting-roster-'));
  let service: AlertingService | undefined;

  const start = async (onDuty: string) => {
    await service?.stop();
    service = new AlertingService(
      alertingConfigSchema.parse({
        mqtt: { url: 'mqtt://127.0.0.1:1' },
        http: { port: 0 },
        dataDir,
        api: { token: 'roster-test-token-0123456789' },
        page: { admin: { password: ADMIN_PASSWORD } },
        notifications: { publishMqtt: false },
        people: [
          { id: 'wang', name: '王值班', phone: '13800138000' },
          { id: 'li', name: '李值班', phone: '13900139000' },
          { id: 'kid', name: '实习生', role: 'viewer' },
        ],
        roster: {
          'demo-village': { shifts: [{ days: EVERY_DAY, people: [onDuty] }], escalation: ['admin'] },
        },
      }),
      { logger: createLogger('roster-test', { level: 'silent' }) },
    );
    await service.start();
    return service.httpUrl;
  };

  afterAll(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the YAML roster, lets an admin change it, keeps the change across a restart, and takes a changed YAML roster', async () => {
    let admin = new PageClient(await start('wang'));
    expect(await admin.login('admin', ADMIN_PASSWORD)).toBe(true);
    let page = await admin.get('/roster');
    expect(page.body).toMatch(/id="on-duty-demo-village">王值班</);
    expect(page.body).toContain('来自配置文件');

    // Li takes the weekday days; Wang stays on at weekends; escalation to the admin.
    const form = {
      _csrf: admin.csrf(),
      rows: '2',
      days_0: 'mon',
      from_0: '00:00',
      to_0: '24:00',
      people_0: 'li',
      escalation: 'admin',
    };
    const body = new URLSearchParams(form);
    for (const day of ['tue', 'wed', 'thu', 'fri', 'sat', 'sun']) body.append('days_0', day);
    const saved = await fetch(`${admin.baseUrl}/roster/demo-village`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: `vt_session=${admin.cookie('vt_session')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body,
    });
    expect(saved.status).toBe(303);
    page = await admin.get('/roster');
    expect(page.body).toMatch(/id="on-duty-demo-village">李值班</);
    expect(page.body).toContain('页面修改');
    expect(page.body).toContain('管理员 (admin)');

    // A bad time is refused with the reason, the roster unchanged.
    const bad = await admin.post('/roster/demo-village', {
      _csrf: admin.csrf(),
      rows: '1',
      days_0: 'mon',
      from_0: '25:00',
      to_0: '08:00',
      people_0: 'wang',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('must be HH:MM');

    // A viewer sees the roster but cannot change it.
    admin = new PageClient(await start('wang')); // restart, same YAML: the page edit stays
    expect(await admin.login('admin', ADMIN_PASSWORD)).toBe(true);
    page = await admin.get('/roster');
    expect(page.body).toMatch(/id="on-duty-demo-village">李值班</);
    await admin.get('/people');
    await admin.post('/people/kid', {
      _csrf: admin.csrf(),
      do: 'reset-password',
      name: '实习生',
      phone: '',
      role: 'viewer',
    });
    const password = /id="new-password">([^<]+)</.exec(admin.lastBody)?.[1] ?? '';
    const kid = new PageClient(admin.baseUrl);
    expect(await kid.login('kid', password)).toBe(true);
    const kidPage = await kid.get('/roster');
    expect(kidPage.status).toBe(200);
    expect(kidPage.body).not.toContain('id="roster-form-demo-village"');
    const refused = await kid.post('/roster/demo-village', {
      _csrf: kid.csrf(),
      rows: '1',
      days_0: 'mon',
      people_0: 'kid',
    });
    expect(refused.status).toBe(403);

    // The YAML roster changes: it wins over the page edit.
    admin = new PageClient(await start('li'));
    expect(await admin.login('admin', ADMIN_PASSWORD)).toBe(true);
    page = await admin.get('/roster');
    expect(page.body).toContain('来自配置文件');
    expect(page.body).toMatch(/id="on-duty-demo-village">李值班</);
    admin = new PageClient(await start('wang'));
    expect(await admin.login('admin', ADMIN_PASSWORD)).toBe(true);
    expect((await admin.get('/roster')).body).toMatch(/id="on-duty-demo-village">王值班</);
  });
});
