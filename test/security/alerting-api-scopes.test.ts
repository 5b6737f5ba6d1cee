import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../runtime/index.js';
import { callApi as call } from '../support/index.js';
import { startSecurityAlerting, type SecurityAlerting } from './support/security-alerting.js';

const TOKENS = {
  reader: 'reader-token-0123456789',
  operator: 'operator-token-0123456789',
  admin: 'admin-token-0123456789ab',
  legacy: 'legacy-env-token-0123456789',
};

/** A warning rule: an acknowledge token may silence it (critical ones need admin). */
const silence = { matchers: { ruleId: 'camera-offline' }, durationS: 600 };

describe('alerting API token scopes', () => {
  let alerting: SecurityAlerting;
  let base: string;

  beforeAll(async () => {
    alerting = await startSecurityAlerting({
      mqtt: { url: `mqtt://127.0.0.1:${await freePort()}` },
      api: {
        token: TOKENS.legacy,
        tokens: [
          { name: 'dashboard', token: TOKENS.reader, scopes: ['read'] },
          { name: 'duty-phone', token: TOKENS.operator, scopes: ['acknowledge'] },
          { name: 'ops', token: TOKENS.admin, scopes: ['admin'] },
        ],
      },
    });
    base = alerting.service.httpUrl;
  });

  afterAll(async () => {
    await alerting?.close();
  });

  it('answers 401 without a token or with an unknown one', async () => {
    expect((await call(base, undefined, 'GET', '/api/alerts')).status).toBe(401);
    const unknown = await call(base, 'not-a-known-token-0123', 'GET', '/api/alerts');
    expect(unknown.status).toBe(401);
    expect(unknown.json.code).toBe('AUTH_FAILED');
  });

  it('lets every scope read', async () => {
    for (const token of Object.values(TOKENS)) {
      const { status, json } = await call(base, token, 'GET', '/api/alerts');
      expect(status).toBe(200);
      expect(json.total).toBe(0);
    }
    expect((await call(base, TOKENS.reader, 'GET', '/api/rules')).status).toBe(200);
    expect((await call(base, TOKENS.reader, 'GET', '/api/silences')).status).toBe(200);
    expect((await call(base, TOKENS.reader, 'GET', '/api/deliveries')).status).toBe(200);
  });

  it('refuses acknowledging and silencing to a read token with 403', async () => {
    const ack = await call(base, TOKENS.reader, 'POST', '/api/alerts/some-alert/ack', {
      comment: '已到现场',
    });
    expect(ack.status).toBe(403);
    expect(ack.json).toMatchObject({ code: 'FORBIDDEN', required: 'acknowledge' });
    expect((await call(base, TOKENS.reader, 'POST', '/api/silences', silence)).status).toBe(403);
    expect((await call(base, TOKENS.reader, 'GET', '/api/silences')).json.silences).toEqual([]);
  });

  it('lets an acknowledge token acknowledge and silence, but not delete silences or retry deliveries', async () => {
    // Past the scope check: the alert does not exist.
    expect(
      (await call(base, TOKENS.operator, 'POST', '/api/alerts/some-alert/ack', { comment: '已到现场' }))
        .status,
    ).toBe(404);
    const created = await call(base, TOKENS.operator, 'POST', '/api/silences', silence);
    expect(created.status).toBe(201);
    const id = String(created.json.id);

    const remove = await call(base, TOKENS.operator, 'DELETE', `/api/silences/${id}`);
    expect(remove.status).toBe(403);
    expect(remove.json.required).toBe('admin');
    const retry = await call(base, TOKENS.operator, 'POST', '/api/deliveries/retry', { key: 'x' });
    expect(retry.status).toBe(403);
    expect((await call(base, TOKENS.reader, 'GET', '/api/silences')).json.silences).toHaveLength(1);

    expect((await call(base, TOKENS.admin, 'DELETE', `/api/silences/${id}`)).status).toBe(200);
    expect((await call(base, TOKENS.reader, 'GET', '/api/silences')).json.silences).toEqual([]);
  });

  it('treats the single ALERTING_API_TOKEN as an admin token', async () => {
    expect((await call(base, TOKENS.legacy, 'POST', '/api/deliveries/retry', { key: 'none' })).status).toBe(
      404,
    );
    const created = await call(base, TOKENS.legacy, 'POST', '/api/silences', silence);
    expect(created.status).toBe(201);
    expect(
      (await call(base, TOKENS.legacy, 'DELETE', `/api/silences/${String(created.json.id)}`)).status,
    ).toBe(200);
  });

  it('keeps /healthz and /metrics open without a token', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
  });
});

describe('alerting API rate limit', () => {
  let alerting: SecurityAlerting;
  let base: string;

  beforeAll(async () => {
    alerting = await startSecurityAlerting({
      mqtt: { url: `mqtt://127.0.0.1:${await freePort()}` },
      api: {
        tokens: [
          { name: 'busy', token: TOKENS.reader, scopes: ['read'] },
          { name: 'calm', token: TOKENS.admin, scopes: ['admin'] },
        ],
        rateLimit: { max: 5, unauthenticatedMax: 3, windowMs: 60_000 },
      },
    });
    base = alerting.service.httpUrl;
  });

  afterAll(async () => {
    await alerting?.close();
  });

  it('answers 429 once a token has used up its window, per token', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1)
      statuses.push((await call(base, TOKENS.reader, 'GET', '/api/alerts')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await fetch(`${base}/api/rules`, {
      headers: { authorization: `Bearer ${TOKENS.reader}` },
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).not.toBeNull();
    expect(((await limited.json()) as { code: string }).code).toBe('RATE_LIMITED');

    // another token has its own budget
    expect((await call(base, TOKENS.admin, 'GET', '/api/alerts')).status).toBe(200);
  });

  it('limits token guessing per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push((await call(base, `guess-${i}-0123456789abcdef`, 'GET', '/api/alerts')).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });

  it('never limits /healthz, /readyz or /metrics', async () => {
    for (let i = 0; i < 12; i += 1) {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/metrics`)).status).toBe(200);
    }
    expect([200, 503]).toContain((await fetch(`${base}/readyz`)).status);
  });
});
