import { describe, expect, it } from 'vitest';
import { apiTokenGrants, loadAlertingConfig, requiredScope, scopesGrant } from '../../alerting/index.js';

describe('alerting API token and rate-limit config', () => {
  it('keeps ALERTING_API_TOKEN and bare token strings working as admin tokens', () => {
    const config = loadAlertingConfig({
      env: { ALERTING_API_TOKEN: 'env-token-0123456789' },
      overrides: {
        'api.tokens': [
          'bare-token-0123456789',
          { name: 'tv', token: 'tv-token-0123456789', scopes: ['read'] },
        ],
      },
    });
    expect(apiTokenGrants(config)).toEqual([
      { name: 'tokens.0', token: 'bare-token-0123456789', scopes: ['admin'] },
      { name: 'tv', token: 'tv-token-0123456789', scopes: ['read'] },
      { name: 'ALERTING_API_TOKEN', token: 'env-token-0123456789', scopes: ['admin'] },
    ]);
  });

  it('reads the rate limit from the environment, with safe defaults', () => {
    const defaults = loadAlertingConfig({ env: { ALERTING_API_TOKEN: 'env-token-0123456789' } });
    expect(defaults.api.rateLimit).toEqual({
      enabled: true,
      max: 600,
      unauthenticatedMax: 30,
      windowMs: 60_000,
    });
    const tuned = loadAlertingConfig({
      env: {
        ALERTING_API_TOKEN: 'env-token-0123456789',
        ALERTING_API_RATE_LIMIT_MAX: '50',
        ALERTING_API_RATE_LIMIT_UNAUTHENTICATED_MAX: '5',
        ALERTING_API_RATE_LIMIT_WINDOW_MS: '10000',
        ALERTING_API_RATE_LIMIT_ENABLED: 'false',
      },
    });
    expect(tuned.api.rateLimit).toEqual({ enabled: false, max: 50, unauthenticatedMax: 5, windowMs: 10_000 });
  });

  it.each([
    [{ 'api.tokens': [] }, /api: give at least one API token/],
    [{ 'api.tokens': [{ name: 'a', token: 'short', scopes: ['read'] }] }, /api\.tokens\.0.*at least 16/s],
    [{ 'api.tokens': [{ name: 'a', token: 'token-a-0123456789', scopes: ['root'] }] }, /api\.tokens\.0/],
    [
      {
        'api.tokens': [
          { name: 'same', token: 'token-a-0123456789', scopes: ['read'] },
          { name: 'same', token: 'token-b-0123456789', scopes: ['admin'] },
        ],
      },
      /api\.tokens: API token names must be unique/,
    ],
  ])('refuses a bad token list %#', (overrides, message) => {
    expect(() => loadAlertingConfig({ env: {}, overrides })).toThrow(message);
  });

  it('maps every route to the scope it needs, mutations to admin unless listed', () => {
    expect(requiredScope('GET', '/api/alerts')).toBe('read');
    expect(requiredScope('GET', '/api/deliveries')).toBe('read');
    expect(requiredScope('POST', '/api/alerts/:id/ack')).toBe('acknowledge');
    expect(requiredScope('POST', '/api/silences')).toBe('acknowledge');
    expect(requiredScope('DELETE', '/api/silences/:id')).toBe('admin');
    expect(requiredScope('POST', '/api/deliveries/retry')).toBe('admin');
    expect(requiredScope('PUT', '/api/anything-new')).toBe('admin');
    expect(scopesGrant(['admin'], 'read')).toBe(true);
    expect(scopesGrant(['acknowledge'], 'read')).toBe(true);
    expect(scopesGrant(['acknowledge'], 'admin')).toBe(false);
    expect(scopesGrant(['read'], 'acknowledge')).toBe(false);
  });
});
