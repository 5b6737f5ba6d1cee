import { isRetainableTopic, parseTopic } from '../../contracts/index.js';
import type { CredentialStore } from '../credentials/credential-store.js';
import type { AclDecision } from './acl.js';
import type { Principal } from './principal.js';

/**
 * What may be retained, and which retained messages are still handed out. Only a
 * gateway's status is retained (isRetainableTopic); an admin may still clear any
 * retained message (an empty payload deletes it). A retained status is replayed only
 * while some credential still speaks for that gateway: a removed gateway's last words
 * are not served to every consumer that reconnects, nor is anything retained before
 * this policy (a stored fire alarm).
 */
export class RetainedPolicy {
  private gateways = new Set<string>();
  private builtFrom = -1;

  constructor(private readonly store: CredentialStore) {}

  mayRetain(principal: Principal, topic: string, payloadBytes: number): AclDecision {
    if (isRetainableTopic(topic)) return { allowed: true };
    if (principal.role === 'admin' && payloadBytes === 0) return { allowed: true };
    return { allowed: false, reason: 'only a gateway status may be retained' };
  }

  mayReplay(topic: string): boolean {
    const parsed = parseTopic(topic);
    if (parsed?.kind !== 'status') return false;
    if (this.builtFrom !== this.store.generation) {
      this.gateways = new Set();
      for (const credential of this.store.all()) {
        if (credential.role === 'gateway' && credential.gateway !== undefined) {
          for (const site of credential.sites) this.gateways.add(`${site}/${credential.gateway}`);
        }
      }
      this.builtFrom = this.store.generation;
    }
    return this.gateways.has(`${parsed.site}/${parsed.gateway}`);
  }
}
