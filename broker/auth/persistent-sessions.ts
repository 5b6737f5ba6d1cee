/**
 * The persistent sessions that collect messages while their client is away (those with
 * stored subscriptions), by the username that owns each: a credential may keep only so
 * many, and one away longer than the expiry stops collecting. Without this one
 * credential could open a thousand sessions and have every message queued a thousand
 * times until the broker's disk was full.
 */
export class PersistentSessions {
  private readonly idsByUser = new Map<string, Set<string>>();
  private readonly ownerOfId = new Map<string, string>();
  /** When each session's client went away; absent while it is connected. */
  private readonly awaySince = new Map<string, number>();

  constructor(
    private readonly limits: { perUser: number; expiryMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Persistent sessions counted, every credential together. */
  get size(): number {
    return this.ownerOfId.size;
  }

  /** Sessions the store held at start, with their owners: all count as away from now. */
  restore(sessions: ReadonlyArray<{ clientId: string; username: string }>): void {
    for (const { clientId, username } of sessions) {
      this.kept(username, clientId);
      this.awaySince.set(clientId, this.now());
    }
  }

  /** Whether `username` may keep (or start) a session under `clientId`. */
  mayKeep(username: string, clientId: string): boolean {
    const ids = this.idsByUser.get(username);
    return ids === undefined || ids.has(clientId) || ids.size < this.limits.perUser;
  }

  /** The session stored subscriptions. */
  kept(username: string, clientId: string): void {
    const ids = this.idsByUser.get(username) ?? new Set<string>();
    ids.add(clientId);
    this.idsByUser.set(username, ids);
    this.ownerOfId.set(clientId, username);
  }

  /** The session's subscriptions were cleaned (a clean connect, an expiry). */
  forgotten(clientId: string): void {
    const username = this.ownerOfId.get(clientId);
    if (username === undefined) return;
    this.ownerOfId.delete(clientId);
    this.awaySince.delete(clientId);
    const ids = this.idsByUser.get(username);
    ids?.delete(clientId);
    if (ids?.size === 0) this.idsByUser.delete(username);
  }

  connected(clientId: string): void {
    this.awaySince.delete(clientId);
  }

  disconnected(clientId: string): void {
    if (this.ownerOfId.has(clientId)) this.awaySince.set(clientId, this.now());
  }

  /** Clients of sessions that are connected to this node. */
  connectedIds(): string[] {
    return [...this.ownerOfId.keys()].filter((clientId) => !this.awaySince.has(clientId));
  }

  /** The client was connected to another node of the cluster at `at`: away since then at the earliest. */
  seenElsewhere(clientId: string, at: number): void {
    const since = this.awaySince.get(clientId);
    if (since !== undefined && at > since) this.awaySince.set(clientId, at);
  }

  /** Sessions away longer than the expiry. */
  expired(): string[] {
    const cutoff = this.now() - this.limits.expiryMs;
    return [...this.awaySince].filter(([, since]) => since <= cutoff).map(([clientId]) => clientId);
  }
}
