import type { Client, Subscription } from 'aedes';
import { canSubscribe } from './acl.js';
import type { HookContext } from './hook-context.js';

/** The two calls aedes makes on its session store to keep a persistent client's filters. */
interface FilterStore {
  addSubscriptions(client: Client, subs: Subscription[], ...rest: unknown[]): unknown;
  removeSubscriptions(client: Client, topics: string[], ...rest: unknown[]): unknown;
}

/**
 * Makes the session store keep only the filters a persistent client was granted.
 * aedes stores a SUBSCRIBE's whole list, refused filters included (its SUBACK says
 * 128 for them, but the store gets them anyway): a gateway asking for its prefix and
 * `#` then had every QoS 1 message of every site queued for it while away. Filters
 * refused later (a narrowed grant, a store written before this) are dropped when the
 * client reconnects and they are refused again (`forget`, from authorizeSubscribe).
 *
 * The filtered list is the same array for every call with the same list: aedes calls
 * once per filter with that list, and the store shares one write per list
 * (persistence/open-persistence.ts).
 */
export function keepOnlyGrantedFilters(
  persistence: object,
  context: HookContext,
): { forget: (client: Client, topic: string) => void } {
  const store = persistence as FilterStore;
  const add = store.addSubscriptions.bind(store);
  const remove = store.removeSubscriptions.bind(store);
  const granted = new WeakMap<Subscription[], Subscription[]>();
  store.addSubscriptions = (client, subs, ...rest) => {
    let kept = granted.get(subs);
    if (!kept) {
      const principal = context.sessions.principalOf(client);
      kept = principal ? subs.filter((sub) => canSubscribe(principal, sub.topic).allowed) : [];
      granted.set(subs, kept);
    }
    if (kept.length > 0) return add(client, kept, ...rest);
    const callback = rest[0];
    if (typeof callback === 'function') return callback(null, client) as unknown;
    return Promise.resolve();
  };
  return {
    forget(client, topic) {
      if (client.clean) return;
      const removed = remove(client, [topic]) as Promise<unknown> | undefined;
      removed?.catch((error: unknown) =>
        context.logger.warn(
          { err: error, clientId: client.id, topic },
          'could not drop a refused stored filter',
        ),
      );
    },
  };
}
