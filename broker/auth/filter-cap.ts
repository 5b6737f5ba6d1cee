import type { Principal } from './principal.js';

/**
 * Filters one gateway connection may hold (its session's restored ones included). A
 * gateway needs a handful; without a cap a gateway credential could add filters in its
 * own prefix without end, each kept in memory and in its persistent session (20,000 of
 * 1 KB took `npm start` from 550 MB to 920 MB). The services' filters grow with the sites
 * they serve (five a site for ingest) and are not capped.
 */
export const MAX_FILTERS_PER_CLIENT = 100;

/**
 * The filters each connection was granted, so that SUBSCRIBE checks (authorize-subscribe.ts)
 * and the session store (granted-filters.ts) agree on which fit. Filters given up with
 * UNSUBSCRIBE still count until the client reconnects.
 */
export class FilterCap {
  private readonly held = new WeakMap<object, Set<string>>();

  constructor(private readonly max: number = MAX_FILTERS_PER_CLIENT) {}

  /** Whether the client holds `filter` now, taking it if there is room; always for a service. */
  admit(client: object, principal: Pick<Principal, 'role'>, filter: string): boolean {
    if (principal.role !== 'gateway') return true;
    let filters = this.held.get(client);
    if (!filters) {
      filters = new Set();
      this.held.set(client, filters);
    }
    if (filters.has(filter)) return true;
    if (filters.size >= this.max) return false;
    filters.add(filter);
    return true;
  }

  get limit(): number {
    return this.max;
  }
}
