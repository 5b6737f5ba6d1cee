import type { Client, ConnectPacket } from 'aedes';
import type { Principal } from './principal.js';
import { AclDecisionCache } from './acl-decision-cache.js';
import { canPublish, canReceive } from './acl.js';

export type WillPacket = NonNullable<ConnectPacket['will']>;

/** An authenticated client, from authentication until it disconnects or is revoked. */
export interface Session {
  readonly principal: Principal;
  /** The stored hash at connect, so a changed password also ends the session. */
  readonly credentialHash: string | undefined;
  /** Kept here so a PUBLISH costs one lookup, the session's, before the ACL answer. */
  readonly publishDecisions: AclDecisionCache;
  /** Likewise for every message handed to the client (authorizeForward). */
  readonly receiveDecisions: AclDecisionCache;
}

/**
 * Who each client is. Principals hang off the aedes client object (a WeakMap, so a
 * client that never registers leaves nothing behind); connected clients are kept
 * separately so a credentials reload can find and disconnect revoked ones.
 */
export class SessionRegistry {
  private readonly sessions = new WeakMap<Client, Session>();
  private readonly wills = new WeakMap<Client, WillPacket>();
  private readonly connected = new Set<Client>();

  rememberWill(client: Client, will: WillPacket | undefined): void {
    if (will) this.wills.set(client, will);
  }

  willOf(client: Client): WillPacket | undefined {
    return this.wills.get(client);
  }

  bind(client: Client, principal: Principal, credentialHash: string | undefined): void {
    this.sessions.set(client, {
      principal,
      credentialHash,
      publishDecisions: new AclDecisionCache((topic) => canPublish(principal, topic)),
      receiveDecisions: new AclDecisionCache((topic) => canReceive(principal, topic)),
    });
  }

  /** After this the client may do nothing, not even publish its will. */
  unbind(client: Client): void {
    this.sessions.delete(client);
  }

  sessionOf(client: Client): Session | undefined {
    return this.sessions.get(client);
  }

  principalOf(client: Client): Principal | undefined {
    return this.sessions.get(client)?.principal;
  }

  credentialHashOf(client: Client): string | undefined {
    return this.sessions.get(client)?.credentialHash;
  }

  registered(client: Client): void {
    this.connected.add(client);
  }

  disconnected(client: Client): void {
    this.connected.delete(client);
  }

  connectedClients(): Client[] {
    return [...this.connected];
  }
}
