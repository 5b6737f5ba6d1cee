import type { Client, ConnectPacket } from 'aedes';
import type { Principal } from './principal.js';

export type WillPacket = NonNullable<ConnectPacket['will']>;

/** An authenticated client, from authentication until it disconnects or is revoked. */
export interface Session {
  readonly principal: Principal;
  /** The stored hash at connect, so a changed password also ends the session. */
  readonly credentialHash: string | undefined;
}

/**
 * Who each client is. Principals hang off the aedes client object (a WeakMap); every
 * client from the moment it is bound (authenticated) until its connection closes is
 * kept in a set too, so a credentials reload finds and disconnects revoked ones, also
 * those still between their login and their registration with aedes.
 */
export class SessionRegistry {
  private readonly sessions = new WeakMap<Client, Session>();
  private readonly wills = new WeakMap<Client, WillPacket>();
  private readonly live = new Set<Client>();

  rememberWill(client: Client, will: WillPacket | undefined): void {
    if (will) this.wills.set(client, will);
  }

  willOf(client: Client): WillPacket | undefined {
    return this.wills.get(client);
  }

  bind(client: Client, principal: Principal, credentialHash: string | undefined): void {
    if (!this.live.has(client)) {
      this.live.add(client);
      client.conn.once('close', () => this.live.delete(client));
    }
    this.sessions.set(client, { principal, credentialHash });
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

  disconnected(client: Client): void {
    this.live.delete(client);
  }

  /** Every authenticated client whose connection is still open, registered with aedes or not yet. */
  connectedClients(): Client[] {
    return [...this.live];
  }
}
