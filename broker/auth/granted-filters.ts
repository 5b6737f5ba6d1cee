import type { Client, Subscription } from 'aedes';
import { canSubscribe } from './acl.js';
import type { HookContext } from './hook-context.js';

/** The calls aedes makes on its session store to keep a persistent client's filters. */
interface FilterStore {
  addSubscriptions(client: Client, subs: Subscription[], ...rest: unknown[]): unknown;
  removeSubscriptions(client: Client, topics: string[], ...rest: unknown[]): unknown;
  cleanSubscriptions(client: Pick<Client, 'id'>, ...rest: unknown[]): unknown;
}

/**
 * Makes the session store keep only the filters a persistent client was granted, for
 * at most as many sessions per credential as it may keep (persistent-sessions.ts; a
 * gateway credential opening a thousand persistent sessions had every message queued a
 * thousand times). The cap is checked at CONNECT; a client that gets past it by
 * connecting in parallel with its others is closed here instead (aedes cannot deliver
 * to a persistent client whose filters are not stored).
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
): { forget: (client: Client, topic: string) => void; clean: (clientId: string) => Promise<unknown> } {
  const store = persistence as FilterStore;
  const add = store.addSubscriptions.bind(store);
  const remove = store.removeSubscriptions.bind(store);
  const clean = store.cleanSubscriptions.bind(store);
  store.cleanSubscriptions = (client, ...rest) => {
    context.persistentSessions.forgotten(client.id);
    return clean(client, ...rest);
  };
  const storable = (client: Client, subs: Subscription[]): Subscription[] => {
    const principal = context.sessions.principalOf(client);
    if (!principal) return [];
    if (!context.persistentSessions.mayKeep(principal.username, client.id)) {
      context.metrics.aclDenials.inc({ action: 'session' });
      context.refusals.warn(
        { clientId: client.id, username: principal.username },
        'persistent session refused: the credential has as many as it may',
      );
      client.close();
      return [];
    }
    const kept = subs.filter(
      (sub) =>
        canSubscribe(principal, sub.topic).allowed && context.filters.admit(client, principal, sub.topic),
    );
    if (kept.length > 0) context.persistentSessions.kept(principal.username, client.id);
    return kept;
  };
  const granted = new WeakMap<Subscription[], Subscription[]>();
  store.addSubscriptions = (client, subs, ...rest) => {
    let kept = granted.get(subs);
    if (!kept) {
      kept = storable(client, subs);
      granted.set(subs, kept);
    }
    if (kept.length > 0) return add(client, kept, ...rest);
    const callback = rest[0];
    if (typeof callback === 'function') return callback(null, client) as unknown;
    return Promise.resolve();
  };
  return {
    clean: (clientId) => Promise.resolve(clean({ id: clientId })),
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
