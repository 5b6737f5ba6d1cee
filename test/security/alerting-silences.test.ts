import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../runtime/index.js';
import { callApi as call } from '../support/index.js';
import { startSecurityAlerting, type SecurityAlerting } from './support/security-alerting.js';

const TOKENS = {
  operator: 'operator-token-0123456789',
  admin: 'admin-token-0123456789ab',
};

/**
 * Issue 20, item 9: an acknowledge-scoped token could silence the whole site until
 * year 275,760, under any name it liked. Silences are now bounded, only admins may
 * silence critical rules, and the actor is the token. Each case failed before.
 */
describe('silences through the API', () => {
  let alerting: SecurityAlerting;
  let base: string;

  beforeAll(async () => {
    alerting = await startSecurityAlerting({
      mqtt: { url: `mqtt://127.0.0.1:${await freePort()}` },
      api: {
        tokens: [
          { name: 'duty-phone', token: TOKENS.operator, scopes: ['acknowledge'] },
          { name: 'ops', token: TOKENS.admin, scopes: ['admin'] },
        ],
      },
      silences: { maxDurationS: 7 * 24 * 3600 },
    });
    base = alerting.service.httpUrl;
  });

  afterAll(async () => {
    await alerting?.close();
  });

  const silences = async () =>
    (await call(base, TOKENS.admin, 'GET', '/api/silences')).json.silences as Array<Record<string, unknown>>;

  it('refuses an end beyond the longest silence, for every token', async () => {
    const forever = { matchers: { ruleId: 'camera-offline' }, endsAt: 8.64e15 };
    const operator = await call(base, TOKENS.operator, 'POST', '/api/silences', forever);
    expect(operator.status).toBe(400);
    expect(String(operator.json.message)).toContain('at most 604800 s');
    expect((await call(base, TOKENS.admin, 'POST', '/api/silences', forever)).status).toBe(400);
    const tooLong = { matchers: { ruleId: 'camera-offline' }, durationS: 8 * 24 * 3600 };
    expect((await call(base, TOKENS.admin, 'POST', '/api/silences', tooLong)).status).toBe(400);
    const farAhead = {
      matchers: { ruleId: 'camera-offline' },
      startsAt: Date.now() + 30 * 24 * 3600_000,
      durationS: 60,
    };
    expect((await call(base, TOKENS.admin, 'POST', '/api/silences', farAhead)).status).toBe(400);
    expect(await silences()).toEqual([]);
  });

  it('lets only an admin silence what could hold back a critical alert', async () => {
    for (const matchers of [{ site: 'demo-village' }, { zone: 'dining' }, { ruleId: 'fire-alarm' }]) {
      const answer = await call(base, TOKENS.operator, 'POST', '/api/silences', { matchers, durationS: 600 });
      expect(answer.status, JSON.stringify(matchers)).toBe(403);
      expect(answer.json).toMatchObject({ code: 'FORBIDDEN', required: 'admin' });
    }
    expect(await silences()).toEqual([]);
    const admin = await call(base, TOKENS.admin, 'POST', '/api/silences', {
      matchers: { ruleId: 'fire-alarm', device: 'canteen-fire-panel' },
      durationS: 3600,
      comment: '消防检测',
    });
    expect(admin.status).toBe(201);
    expect(admin.json.createdBy).toBe('token:ops');
  });

  it('records the token as the actor and refuses a name typed by the caller', async () => {
    const named = await call(base, TOKENS.operator, 'POST', '/api/silences', {
      matchers: { ruleId: 'camera-offline' },
      durationS: 600,
      createdBy: 'admin',
    });
    expect(named.status).toBe(400);
    const created = await call(base, TOKENS.operator, 'POST', '/api/silences', {
      matchers: { ruleId: 'camera-offline' },
      durationS: 600,
    });
    expect(created.status).toBe(201);
    expect(created.json.createdBy).toBe('token:duty-phone');
    expect(Number(created.json.endsAt) - Number(created.json.startsAt)).toBe(600_000);
    expect((await call(base, TOKENS.operator, 'POST', '/api/alerts/none/ack', { by: 'admin' })).status).toBe(
      400,
    );
  });

  it('refuses a silence of a rule that does not exist', async () => {
    const answer = await call(base, TOKENS.operator, 'POST', '/api/silences', {
      matchers: { ruleId: 'no-such-rule' },
      durationS: 600,
    });
    expect(answer.status).toBe(400);
  });
});
