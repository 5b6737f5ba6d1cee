import { gatewayClientId } from '../../contracts/index.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import type { Principal } from './principal.js';

/** Where a client id may be cut to find its owner: `ingest-1` → `ingest`, `admin/tool` → `admin`. */
const SEPARATORS = new Set(['-', '/']);

export type ClientIdBinding = { ok: true; clientId: string } | { ok: false; owner: string };

/**
 * Binds MQTT client ids (persistent sessions) to credentials, so no credential can take
 * over another's session: kick `alerting` off and acknowledge its queued fire alarms,
 * or connect as a gateway and have the broker publish that gateway's will.
 *
 * An id belongs to a credential when it is, or begins with, the credential's username
 * or, for a gateway, its upstream client id (`edge-{site}-{gateway}`), followed by `-`
 * or `/`; the longest such name wins (`ingest-s2-1` is `ingest-s2`'s, not `ingest`'s).
 * A client may use ids that are its own; one that belongs to another credential is
 * refused. Any other id is put in the client's own namespace, `{username}/{id}`: two
 * credentials both calling their tool `monitor` get two sessions, not one they fight
 * over.
 */
export class ClientIdOwners {
  private owners = new Map<string, Set<string>>();
  private builtFrom = -1;

  constructor(private readonly store: CredentialStore) {}

  bind(principal: Principal, requested: string): ClientIdBinding {
    const owner = this.ownerOf(requested);
    if (owner === undefined) return { ok: true, clientId: `${principal.username}/${requested}` };
    if (owner.usernames.has(principal.username)) return { ok: true, clientId: requested };
    return { ok: false, owner: owner.name };
  }

  /** The username a client id belongs to (namespaced ids included); undefined for a free-form id. */
  usernameOf(clientId: string): string | undefined {
    const owner = this.ownerOf(clientId);
    return owner ? [...owner.usernames][0] : undefined;
  }

  private ownerOf(clientId: string): { name: string; usernames: Set<string> } | undefined {
    this.rebuildIfStale();
    for (let end = clientId.length; end > 0; end--) {
      if (end < clientId.length && !SEPARATORS.has(clientId[end] as string)) continue;
      const name = clientId.slice(0, end);
      const usernames = this.owners.get(name);
      if (usernames) return { name, usernames };
    }
    return undefined;
  }

  private rebuildIfStale(): void {
    if (this.builtFrom === this.store.generation) return;
    const owners = new Map<string, Set<string>>();
    const own = (name: string, username: string) => {
      const set = owners.get(name) ?? new Set<string>();
      set.add(username);
      owners.set(name, set);
    };
    for (const credential of this.store.all()) {
      own(credential.username, credential.username);
      const site = credential.sites[0];
      if (credential.role === 'gateway' && credential.gateway !== undefined && site !== undefined) {
        own(gatewayClientId(site, credential.gateway), credential.username);
      }
    }
    this.owners = owners;
    this.builtFrom = this.store.generation;
  }
}
