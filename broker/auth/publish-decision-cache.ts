import { canPublish, type AclDecision } from './acl.js';
import type { Principal } from './principal.js';

/** Per session; a gateway publishes to a fixed handful of topics, so this is plenty. */
export const MAX_CACHED_TOPICS_PER_SESSION = 256;

/**
 * canPublish memoised for one session. canPublish is a pure function of the principal
 * and the topic, and a session keeps its principal for life: a credentials reload that
 * changes a grant unbinds the session (revoke-sessions.ts), and with it this cache; a
 * reconnect starts empty. Past the bound, decisions are computed without being stored.
 */
export class PublishDecisionCache {
  private readonly decisions = new Map<string, AclDecision>();

  constructor(private readonly principal: Principal) {}

  decide(topic: string): AclDecision {
    const cached = this.decisions.get(topic);
    if (cached !== undefined) return cached;
    const decision = canPublish(this.principal, topic);
    if (this.decisions.size < MAX_CACHED_TOPICS_PER_SESSION) this.decisions.set(topic, decision);
    return decision;
  }
}
