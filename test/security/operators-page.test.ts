import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertLinks, loadPageKeys } from '../../alerting/index.js';
import { freePort } from '../../runtime/index.js';
import { callApi, PageClient } from '../support/index.js';
import { startSecurityAlerting, type SecurityAlerting } from './support/security-alerting.js';

const SECRET = 'page-secret-for-the-security-test-0123456789';
const ADMIN_PASSWORD = 'first-admin-password-42';
const TOKEN = 'security-page-admin-token-0123';
const DUTY_TOKEN = 'security-page-duty-token-0123';

/**
 * The operators' page against what a hostile page, a curious group-chat member or a
 * careless admin can do: cross-site posts, script in every field people or robots
 * fill, links changed by a byte, links past their expiry or used twice, a viewer's
 * link, an open redirect after log-in.
 */
describe('operators page security', () => {
  let alerting: SecurityAlerting;
  let base: string;
  let admin: PageClient;
  let fireId: string;
  const passwords = new Map<string, string>();
  /** The same key as the server's: the test signs links exactly as notifications do. */
  let signer: AlertLinks;

  const alert = async (id: string) =>
    (await callApi(base, TOKEN, 'GET', `/api/alerts/${id}`)).json as {
      ack?: { by: string; comment: string };
      timeline: Array<{ type: string; by?: string; detail?: string }>;
      links?: { page: string; ack?: string };
    };
  const linkPath = (url: string) => new URL(url).pathname;

  beforeAll(async () => {
    alerting = await startSecurityAlerting({
      mqtt: { url: `mqtt://127.0.0.1:${await freePort()}` },
      api: {
        tokens: [
          { name: 'ops', token: TOKEN, scopes: ['admin'] },
          { name: 'duty-phone', token: DUTY_TOKEN, scopes: ['acknowledge'] },
          { name: 'board', token: 'security-page-read-token-01', scopes: ['read'] },
        ],
      },
      page: { secret: SECRET, admin: { password: ADMIN_PASSWORD }, loginAttemptsPerMinute: 1000 },
      publicUrl: 'http://alerts.village.example:9105',
    });
    base = alerting.service.httpUrl;
    signer = new AlertLinks(loadPageKeys(SECRET, '/nonexistent'), () => 'http://x', 3600_000);
    admin = new PageClient(base);
    expect(await admin.login('admin', ADMIN_PASSWORD)).toBe(true);
    for (const [id, role, name] of [
      ['wang', 'operator', '王<b>值班</b>'],
      ['li', 'viewer', '李"查看"'],
      ['zhao', 'operator', '赵师傅'],
    ] as const) {
      await admin.get('/people');
      const added = await admin.post('/people', {
        _csrf: admin.csrf(),
        id,
        name,
        phone: '13800138000',
        role,
      });
      expect(added.status).toBe(200);
      passwords.set(id, /id="new-password">([^<]+)</.exec(added.body)?.[1] ?? '');
    }
    const engine = alerting.service.engine;
    engine.event('demo-village', 'gw-center', 'canteen-fire-panel', {
      ts: Date.now(),
      seq: 1,
      type: 'fire_alarm',
      data: {},
    });
    fireId = engine.alerts({ ruleId: 'fire-alarm' })[0]?.id ?? '';
    expect(fireId).not.toBe('');
  });

  afterAll(async () => {
    await alerting?.close();
  });

  it('sends people without a session to log in, and never redirects off the site after it', async () => {
    const anonymous = new PageClient(base);
    const list = await anonymous.get('/');
    expect(list.status).toBe(303);
    expect(list.headers.get('location')).toBe('/login?next=%2F');
    expect((await anonymous.get(`/alerts/${fireId}`)).status).toBe(303);
    for (const next of ['//evil.example/x', 'https://evil.example', '/\\evil.example']) {
      const client = new PageClient(base);
      await client.get('/login');
      const answer = await client.post('/login', {
        _csrf: client.csrf(),
        login: 'admin',
        password: ADMIN_PASSWORD,
        next,
      });
      expect(answer.status).toBe(303);
      expect(answer.headers.get('location')).toBe('/');
    }
  });

  it('sets the session cookie HttpOnly and SameSite, and sends a strict CSP with no script', async () => {
    const client = new PageClient(base);
    await client.get('/login');
    const answer = await client.post('/login', {
      _csrf: client.csrf(),
      login: 'wang',
      password: passwords.get('wang') ?? '',
    });
    const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('vt_session='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const page = await client.get('/');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.body).not.toMatch(/<script/i);
  });

  it('refuses a form without its CSRF token, with another session’s token, or from another site', async () => {
    const wang = new PageClient(base);
    expect(await wang.login('wang', passwords.get('wang') ?? '')).toBe(true);
    await wang.get(`/alerts/${fireId}`);
    const token = wang.csrf();
    expect((await wang.post(`/alerts/${fireId}/ack`, { comment: 'x' })).status).toBe(403);
    await admin.get('/');
    expect((await wang.post(`/alerts/${fireId}/ack`, { _csrf: admin.csrf(), comment: 'x' })).status).toBe(
      403,
    );
    const crossSite = await wang.post(
      `/alerts/${fireId}/ack`,
      { _csrf: token, comment: 'x' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    );
    expect(crossSite.status).toBe(403);
    const otherOrigin = await wang.post(
      `/alerts/${fireId}/ack`,
      { _csrf: token },
      { origin: 'https://evil.example' },
    );
    expect(otherOrigin.status).toBe(403);
    const sandboxed = await wang.post(`/alerts/${fireId}/ack`, { _csrf: token }, { origin: 'null' });
    expect(sandboxed.status).toBe(403);
    const login = new PageClient(base);
    expect((await login.post('/login', { login: 'admin', password: ADMIN_PASSWORD })).status).toBe(403);
    expect((await alert(fireId)).ack).toBeUndefined();
  });

  it('escapes every value it shows: names, notes, comments and robots’ error texts', async () => {
    const zhao = new PageClient(base);
    expect(await zhao.login('zhao', passwords.get('zhao') ?? '')).toBe(true);
    await zhao.get(`/alerts/${fireId}`);
    const note = '<img src=x onerror=alert(1)>"\'`';
    expect((await zhao.post(`/alerts/${fireId}/note`, { _csrf: zhao.csrf(), text: note })).status).toBe(303);
    alerting.service.engine.serviceCondition(
      'notification_channel_failing',
      'demo-village',
      'wecom-0',
      true,
      {
        zh: '<script>alert("errmsg")</script>',
        en: '<script>alert("errmsg")</script>',
      },
    );
    await admin.get('/people');
    const people = admin.lastBody;
    expect(people).not.toContain('王<b>值班</b>');
    expect(people).toContain('王&lt;b&gt;值班&lt;/b&gt;');
    expect(people).toContain('李&quot;查看&quot;');
    const detail = (await admin.get(`/alerts/${fireId}`)).body;
    expect(detail).not.toContain('<img src=x');
    expect(detail).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&#96;');
    const channelAlert =
      alerting.service.engine.alerts({ ruleId: 'notification-channel-failing' })[0]?.id ?? '';
    const service = (await admin.get(`/alerts/${channelAlert}`)).body;
    expect(service).not.toContain('<script>alert');
    expect(service).toContain('&lt;script&gt;alert(&quot;errmsg&quot;)&lt;/script&gt;');
  });

  it('refuses a tampered, an expired and a replayed link with a clear page, and changes nothing', async () => {
    const { links } = await alert(fireId);
    expect(links?.page).toBe(`http://alerts.village.example:9105/alerts/${fireId}`);
    const dutyView = (await callApi(base, DUTY_TOKEN, 'GET', `/api/alerts/${fireId}`)).json as {
      links: { ack: string };
    };
    const good = linkPath(dutyView.links.ack);
    const anyone = new PageClient(base);

    // One byte changed in the payload (the person), or in the signature: forged.
    const [payload, signature] = good.slice('/l/'.length).split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const otherPerson = Buffer.from(JSON.stringify({ ...claims, p: 'person:admin' })).toString('base64url');
    const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1);
    for (const path of [`/l/${otherPerson}.${signature}`, `/l/${payload}.${flipped}`, '/l/garbage']) {
      const answer = await anyone.get(path);
      expect(answer.status, path).toBe(403);
      expect(answer.body).toContain('链接无效');
    }
    const forgedPost = await anyone.post(`/l/${otherPerson}.${signature}`, { _csrf: 'x' });
    expect(forgedPost.status).toBe(403);

    // Signed with the right key but expired an hour ago.
    const past = new AlertLinks(
      loadPageKeys(SECRET, '/nonexistent'),
      () => 'http://x',
      60_000,
      () => Date.now() - 3600_000,
    );
    const expired = new URL(past.url(fireId, 'person:wang', 'ack')).pathname;
    const late = await anyone.get(expired);
    expect(late.status).toBe(410);
    expect(late.body).toContain('链接已过期');
    expect((await alert(fireId)).ack).toBeUndefined();

    // The real link works once: the page shows the button, the POST acknowledges.
    const opened = await anyone.get(good);
    expect(opened.status).toBe(200);
    expect(opened.body).toContain('id="ack-button"');
    const linkCsrf = anyone.csrf();
    const acked = await anyone.post(good, { _csrf: linkCsrf, comment: '已到现场' });
    expect(acked.status).toBe(200);
    expect((await alert(fireId)).ack).toMatchObject({ by: 'token:duty-phone', comment: '已到现场' });
    const again = await anyone.get(good);
    expect(again.status).toBe(409);
    expect(again.body).toContain('链接已使用过');
    const replay = await anyone.post(good, { _csrf: linkCsrf, comment: 'again' });
    expect(replay.status).toBe(409);
    expect((await alert(fireId)).timeline.filter((e) => e.type === 'acknowledged')).toHaveLength(1);
    // Counted on /metrics, where a burst of forged links shows someone guessing.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/alerting_links_total\{[^}]*action="unknown"[^}]*outcome="forged"[^}]*\} [4-9]/);
    expect(metrics).toMatch(/alerting_links_total\{[^}]*action="ack"[^}]*outcome="expired"[^}]*\} 1/);
    expect(metrics).toMatch(/alerting_links_total\{[^}]*action="ack"[^}]*outcome="acknowledged"[^}]*\} 1/);
    expect(metrics).toMatch(/alerting_links_total\{[^}]*action="ack"[^}]*outcome="used"[^}]*\} 2/);
  });

  it('gives a viewer neither acknowledge buttons nor a working acknowledge link', async () => {
    const engine = alerting.service.engine;
    engine.event('demo-village', 'gw-center', 'clinic-fire-panel', {
      ts: Date.now(),
      seq: 2,
      type: 'fire_alarm',
      data: {},
    });
    const id = engine.alerts({ ruleId: 'fire-alarm', state: 'firing' }).find((a) => !a.ack)?.id ?? '';
    const li = new PageClient(base);
    expect(await li.login('li', passwords.get('li') ?? '')).toBe(true);
    const page = await li.get(`/alerts/${id}`);
    expect(page.body).not.toContain('id="ack-form"');
    expect(page.body).toContain('id="read-only"');
    const csrf = li.csrf();
    expect((await li.post(`/alerts/${id}/ack`, { _csrf: csrf })).status).toBe(403);
    expect((await li.post(`/alerts/${id}/silence`, { _csrf: csrf, durationS: '3600' })).status).toBe(403);
    const viewerLink = new URL(signer.url(id, 'person:li', 'ack')).pathname;
    expect((await new PageClient(base).get(viewerLink)).status).toBe(403);
    const readOnly = await new PageClient(base).get(new URL(signer.url(id, 'person:li', 'view')).pathname);
    expect(readOnly.status).toBe(200);
    expect(readOnly.body).not.toContain('id="ack-form"');
    expect((await alert(id)).ack).toBeUndefined();
    // A read token's alerts carry the page link, never an acknowledge link.
    const read = (await callApi(base, 'security-page-read-token-01', 'GET', `/api/alerts/${id}`)).json;
    expect(read.links).toEqual({ page: `http://alerts.village.example:9105/alerts/${id}` });
  });

  it('ends every session of a person who logs out, changes password or is disabled', async () => {
    const wang = new PageClient(base);
    expect(await wang.login('wang', passwords.get('wang') ?? '')).toBe(true);
    const stolen = wang.cookie('vt_session') ?? '';
    await wang.get('/');
    expect((await wang.post('/logout', { _csrf: wang.csrf() })).status).toBe(303);
    const thief = new PageClient(base);
    thief.setCookie('vt_session', stolen);
    expect((await thief.get('/')).status).toBe(303);

    expect(await wang.login('wang', passwords.get('wang') ?? '')).toBe(true);
    await admin.get('/people');
    const disable = await admin.post('/people/wang', {
      _csrf: admin.csrf(),
      do: 'save',
      name: '王值班',
      phone: '13800138000',
      role: 'operator',
      disabled: '1',
    });
    expect(disable.status).toBe(303);
    expect((await wang.get('/')).status).toBe(303);
    expect(await new PageClient(base).login('wang', passwords.get('wang') ?? '')).toBe(false);
  });
});

describe('operators page log-in guessing', () => {
  let alerting: SecurityAlerting;

  beforeAll(async () => {
    alerting = await startSecurityAlerting({
      mqtt: { url: `mqtt://127.0.0.1:${await freePort()}` },
      api: { token: TOKEN },
      page: { admin: { password: ADMIN_PASSWORD }, loginAttemptsPerMinute: 5 },
    });
  });

  afterAll(async () => {
    await alerting?.close();
  });

  it('answers 429 after the allowed attempts per minute, even for the right password', async () => {
    const client = new PageClient(alerting.service.httpUrl);
    await client.get('/login');
    const csrf = client.csrf();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1)
      statuses.push(
        (await client.post('/login', { _csrf: csrf, login: 'admin', password: `guess-${i}-xxxxxxxx` }))
          .status,
      );
    statuses.push(
      (await client.post('/login', { _csrf: csrf, login: 'admin', password: ADMIN_PASSWORD })).status,
    );
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect(client.lastBody).toContain('请求过于频繁');
  });
});
