import type { Grant, Role } from '../credentials/credential-schema.js';
import { ALL_SITES } from '../credentials/credential-schema.js';

/** Who a connected client is, as the ACL sees it. */
export interface Principal {
  username: string;
  role: Role;
  sites: readonly string[];
  gateway?: string | undefined;
  /** A client let in without credentials because the broker runs in dev mode. */
  anonymous: boolean;
}

export function principalFromGrant(grant: Grant): Principal {
  return {
    username: grant.username,
    role: grant.role,
    sites: grant.sites,
    gateway: grant.gateway,
    anonymous: false,
  };
}

/** Dev mode only: an unauthenticated client may do anything, like an admin. */
export const ANONYMOUS_DEV_PRINCIPAL: Principal = Object.freeze({
  username: '(anonymous)',
  role: 'admin',
  sites: Object.freeze([ALL_SITES]),
  anonymous: true,
});

export function coversAllSites(principal: Principal): boolean {
  return principal.sites.includes(ALL_SITES);
}

export function coversSite(principal: Principal, site: string): boolean {
  return coversAllSites(principal) || principal.sites.includes(site);
}

/** True when the credential behind a session still grants exactly what it granted at connect. */
export function sameGrant(principal: Principal, grant: Grant | undefined): boolean {
  return (
    grant !== undefined &&
    grant.role === principal.role &&
    grant.gateway === principal.gateway &&
    grant.sites.length === principal.sites.length &&
    grant.sites.every((site, i) => principal.sites[i] === site)
  );
}
