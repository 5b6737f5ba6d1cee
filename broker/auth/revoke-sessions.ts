import type { HookContext } from './hook-context.js';
import { sameGrant } from './principal.js';

/**
 * After a credentials reload: disconnects every client whose credential was
 * removed or now grants something else (role, sites, gateway, password). The
 * client reconnects, if it still may, under the new grant.
 */
export function revokeStaleSessions(context: HookContext): number {
  let revoked = 0;
  for (const client of context.sessions.connectedClients()) {
    const principal = context.sessions.principalOf(client);
    if (principal?.anonymous) continue;
    const entry = principal ? context.store.get(principal.username) : undefined;
    const current =
      principal !== undefined &&
      sameGrant(principal, entry) &&
      entry?.hash === context.sessions.credentialHashOf(client);
    if (current) continue;
    context.sessions.unbind(client);
    context.metrics.clientsRevoked.inc();
    context.logger.warn(
      { clientId: client.id, username: principal?.username },
      'credential revoked or changed: disconnecting',
    );
    client.close();
    revoked += 1;
  }
  return revoked;
}
