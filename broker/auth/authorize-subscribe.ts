import type { AedesOptions } from 'aedes';
import { canSubscribe } from './acl.js';
import type { HookContext } from './hook-context.js';

type AuthorizeSubscribeHandler = NonNullable<AedesOptions['authorizeSubscribe']>;

/**
 * A refused filter is granted QoS 128 (failure) and the connection stays up
 * ([MQTT-3.9.3-1]). It is also dropped from the client's stored session, where a
 * reconnect's restore finds filters granted under an older, wider credential.
 */
export function createAuthorizeSubscribe(context: HookContext): AuthorizeSubscribeHandler {
  return (client, subscription, callback) => {
    const principal = context.sessions.principalOf(client);
    const acl = principal
      ? canSubscribe(principal, subscription.topic)
      : { allowed: false as const, reason: 'no session (credential revoked)' };
    const decision =
      acl.allowed && principal && !context.filters.admit(client, principal, subscription.topic)
        ? { allowed: false as const, reason: `more than ${context.filters.limit} filters` }
        : acl;
    if (decision.allowed) return callback(null, subscription);
    context.metrics.aclDenials.inc({ action: 'subscribe' });
    context.refusals.warn(
      {
        clientId: client.id,
        username: principal?.username,
        topic: subscription.topic,
        reason: decision.reason,
      },
      'subscribe denied',
    );
    context.forgetStoredFilter(client, subscription.topic);
    callback(null, null);
  };
}
