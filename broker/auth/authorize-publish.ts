import type { AedesOptions } from 'aedes';
import { canPublish, type AclDecision } from './acl.js';
import { payloadBytes, type HookContext } from './hook-context.js';
import type { Principal } from './principal.js';

type AuthorizePublishHandler = NonNullable<AedesOptions['authorizePublish']>;

/**
 * Every client PUBLISH and every will passes here. A refusal closes the client's
 * connection: MQTT 3.1.1 has no negative PUBACK ([MQTT-3.3.5-2]).
 */
export function createAuthorizePublish(context: HookContext): AuthorizePublishHandler {
  return (client, packet, callback) => {
    const bytes = payloadBytes(packet.payload);
    const clientId = client?.id;
    if (bytes > context.maxPayloadBytes) {
      context.metrics.payloadRejections.inc({ stage: 'publish' });
      const username = client ? context.sessions.principalOf(client)?.username : undefined;
      context.refusals.warn(
        { clientId, username, topic: packet.topic, bytes, limit: context.maxPayloadBytes },
        'payload too large',
      );
      return callback(new Error(`payload of ${bytes} bytes exceeds ${context.maxPayloadBytes}`));
    }
    // No client: a will left by a client of a broker node that died; it was checked when that client connected.
    if (client === null) return callback(null);
    if (packet.qos === 2) {
      // aedes keeps a QoS 2 message until its PUBREL, in a persistent session's store across
      // reconnects: a client withholding PUBRELs could fill the disk. Nothing here sends QoS 2.
      context.metrics.aclDenials.inc({ action: 'publish' });
      context.refusals.warn(
        { clientId, username: context.sessions.principalOf(client)?.username, topic: packet.topic },
        'QoS 2 publish refused',
      );
      return callback(new Error('QoS 2 publishes are not accepted: publish at QoS 0 or 1'));
    }

    const session = context.sessions.sessionOf(client);
    const decision = !session
      ? { allowed: false as const, reason: 'no session (credential revoked)' }
      : packet.retain
        ? retainDecision(context, session.principal, packet.topic, bytes)
        : canPublish(session.principal, packet.topic);
    if (!decision.allowed) {
      context.metrics.aclDenials.inc({ action: packet.retain ? 'retain' : 'publish' });
      context.refusals.warn(
        { clientId, username: session?.principal.username, topic: packet.topic, reason: decision.reason },
        'publish denied',
      );
      return callback(new Error(`publish to ${packet.topic} denied: ${decision.reason}`));
    }
    context.metrics.messagesPublished.inc({ qos: String(packet.qos) });
    callback(null);
  };
}

/** A retained publish passes the topic ACL and the retained policy both. */
function retainDecision(
  context: HookContext,
  principal: Principal,
  topic: string,
  bytes: number,
): AclDecision {
  const acl = canPublish(principal, topic);
  return acl.allowed ? context.retained.mayRetain(principal, topic, bytes) : acl;
}
