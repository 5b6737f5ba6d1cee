import type { AedesOptions } from 'aedes';
import { canReceive } from './acl.js';
import type { HookContext } from './hook-context.js';

type AuthorizeForwardHandler = NonNullable<AedesOptions['authorizeForward']>;

/**
 * Every message aedes hands to a client passes here: live ones, ones queued in its
 * session while it was away, retained ones. A message the client's ACL does not let it
 * read is not sent, whatever put it in the client's way (a filter stored under an
 * older, wider grant; a session store written by an earlier version). A retained
 * message is replayed only if the retained policy still stands behind it.
 */
export function createAuthorizeForward(context: HookContext): AuthorizeForwardHandler {
  return (client, packet) => {
    const session = context.sessions.sessionOf(client);
    const decision = !session
      ? { allowed: false as const, reason: 'no session (credential revoked)' }
      : packet.retain && !context.retained.mayReplay(packet.topic)
        ? { allowed: false as const, reason: 'retained message no one may retain now' }
        : canReceive(session.principal, packet.topic);
    if (decision.allowed) {
      // aedes lowers a message to the subscription's QoS only when the filter is the topic itself,
      // and not at all for a queued one: a QoS 2 message (queued before QoS 2 was refused) reached
      // ingest's `v1/{site}/#` at QoS 2, which ingest refuses by reconnecting, to be sent it again.
      // No subscription here is QoS 2. Changed in place: aedes writes this very packet when it
      // empties a queue, and only reads whether one came back.
      if (packet.qos === 2) packet.qos = 1;
      return packet;
    }
    context.metrics.aclDenials.inc({ action: 'forward' });
    context.logger.debug(
      {
        clientId: client.id,
        username: session?.principal.username,
        topic: packet.topic,
        reason: decision.reason,
      },
      'message not forwarded',
    );
    return null;
  };
}
