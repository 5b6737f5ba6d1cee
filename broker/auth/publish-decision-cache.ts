import { canPublish, type AclDecision } from './acl.js';
import type { Principal } from './principal.js';

/** Per session; a gateway publishes to a fixed handful of topics, so this is plenty. */
export const MAX_CACHED_TOPICS_PER_SESSION = 256;

/**
 * canPublish memoised per session and topic. canPublish is a pure function of the
 * principal and the topic, and each connection gets its own Principal object at
 * authentication, so keying on that object scopes the cache to the session: it goes
 * with the session (WeakMap), a reconnect starts empty, and a credentials reload
 * that changes a grant unbinds the session (revoke-sessions.ts), so its principal —
 * and its cache — is never consulted again. Past the bound, decisions are computed
 * without being stored.
 */
export class PublishDecisionCache {
  private readonly bySession = new WeakMap<Principal, Map<string, AclDecision>>();

  decide(principal: Principal, topic: string): AclDecision {
    let decisions = this.bySession.get(principal);
    if (decisions === undefined) {
      decisions = new Map();
      this.bySession.set(principal, decisions);
    }
    const cached = decisions.get(topic);
    if (cached !== undefined) return cached;
    const decision = canPublish(principal, topic);
    if (decisions.size < MAX_CACHED_TOPICS_PER_SESSION) decisions.set(topic, decision);
    return decision;
  }
}
