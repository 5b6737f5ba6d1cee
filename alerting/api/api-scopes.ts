/**
 * What an API token may do. Each scope includes the ones before it: `acknowledge`
 * can also read, `admin` can do everything.
 */
export const API_SCOPES = ['read', 'acknowledge', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** Routes an operator on duty needs (acknowledge, silence); every other mutating route needs `admin`. */
const ACKNOWLEDGE_ROUTES = new Set(['POST /api/alerts/:id/ack', 'POST /api/silences']);

/** The scope a route needs, from its method and route pattern (`/api/alerts/:id/ack`); unknown mutations need admin. */
export function requiredScope(method: string, routeUrl: string): ApiScope {
  if (method === 'GET' || method === 'HEAD') return 'read';
  return ACKNOWLEDGE_ROUTES.has(`${method} ${routeUrl}`) ? 'acknowledge' : 'admin';
}

export function scopesGrant(granted: readonly ApiScope[], needed: ApiScope): boolean {
  const rank = API_SCOPES.indexOf(needed);
  return granted.some((scope) => API_SCOPES.indexOf(scope) >= rank);
}
