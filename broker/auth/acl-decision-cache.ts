import type { AclDecision } from './acl.js';

/** Per session and rule; a gateway publishes to a fixed handful of topics, so this is plenty. */
export const MAX_CACHED_TOPICS_PER_SESSION = 256;

/**
 * One ACL rule (canPublish, canReceive) memoised for one session. The rules are pure
 * functions of the principal and the topic, and a session keeps its principal for
 * life: a credentials reload that changes a grant unbinds the session
 * (revoke-sessions.ts), and with it this cache; a reconnect starts empty. Past the
 * bound, decisions are computed without being stored.
 */
export class AclDecisionCache {
  private readonly decisions = new Map<string, AclDecision>();

  constructor(private readonly rule: (topic: string) => AclDecision) {}

  decide(topic: string): AclDecision {
    const cached = this.decisions.get(topic);
    if (cached !== undefined) return cached;
    const decision = this.rule(topic);
    if (this.decisions.size < MAX_CACHED_TOPICS_PER_SESSION) this.decisions.set(topic, decision);
    return decision;
  }
}
