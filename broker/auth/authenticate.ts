import type { AedesOptions, AuthenticateError, AuthErrorCode, Client } from 'aedes';
import { LOGIN_REFUSAL_CODES } from '../admission/password-check-gate.js';
import type { AuthFailureReason } from '../broker-metrics.js';
import { canPublish } from './acl.js';
import { payloadBytes, type HookContext } from './hook-context.js';
import { ANONYMOUS_DEV_PRINCIPAL, principalFromGrant, sameGrant, type Principal } from './principal.js';

type AuthenticateHandler = NonNullable<AedesOptions['authenticate']>;
type PreConnectHandler = NonNullable<AedesOptions['preConnect']>;

// CONNACK return codes (MQTT 3.1.1, 3.2.2.3); aedes types them as an ambient const enum.
const BAD_USERNAME_OR_PASSWORD = 4 as AuthErrorCode;
const NOT_AUTHORIZED = 5 as AuthErrorCode;
const SERVER_UNAVAILABLE = 3 as AuthErrorCode;
const IDENTIFIER_REJECTED = 2 as AuthErrorCode;

/**
 * MQTT 3.1.1 lets a client id run to 64 KiB and aedes only bounds it for 3.1; an id
 * that long is copied into every log line and session about the client. Our services
 * use at most 64 characters; 256 leaves room for any real client.
 */
export const MAX_CLIENT_ID_LENGTH = 256;

/** aedes hands the will to authenticate only through a private field, so preConnect keeps it for us. */
export function createPreConnect(context: HookContext): PreConnectHandler {
  return (client, packet, callback) => {
    context.sessions.rememberWill(client, packet.will);
    callback(null, true);
  };
}

/**
 * Username and password against the credential store, then the will against the
 * ACL: a gateway may not leave a last will on another gateway's topics.
 */
export function createAuthenticate(context: HookContext): AuthenticateHandler {
  return (client, username, password, done) => {
    authenticate(context, client, username, password).then(
      (outcome) => {
        if (outcome.ok) {
          // aedes reads the id for the session, the takeover and the will only after this hook.
          (client as { id: string }).id = outcome.clientId;
          context.sessions.bind(client, outcome.principal, outcome.hash);
          return done(null, true);
        }
        context.metrics.authFailures.inc({ reason: outcome.reason });
        context.refusals.warn(
          { clientId: client.id.slice(0, MAX_CLIENT_ID_LENGTH), username, reason: outcome.reason },
          'connection refused',
        );
        done(authError(outcome.reason, outcome.code), false);
      },
      (error: unknown) => {
        context.metrics.authFailures.inc({ reason: 'internal_error' });
        context.logger.error(
          { err: error, clientId: client.id, username },
          'authentication failed unexpectedly',
        );
        done(authError('internal_error', SERVER_UNAVAILABLE), false);
      },
    );
  };
}

type Outcome =
  | { ok: true; principal: Principal; hash: string | undefined; clientId: string }
  | { ok: false; reason: AuthFailureReason; code: AuthErrorCode };

async function authenticate(
  context: HookContext,
  client: Client,
  username: string | undefined,
  password: Buffer | undefined,
): Promise<Outcome> {
  if (client.id.length > MAX_CLIENT_ID_LENGTH) {
    return { ok: false, reason: 'client_id_too_long', code: IDENTIFIER_REJECTED };
  }
  if (username === undefined || username === '') {
    if (!context.allowAnonymous) return { ok: false, reason: 'no_credentials', code: NOT_AUTHORIZED };
    return bindClientId(context, client, ANONYMOUS_DEV_PRINCIPAL, undefined);
  }
  const entry = context.store.get(username);
  const outcome = await context.logins.login({
    remoteAddress: remoteAddressOf(client),
    username,
    password,
    hash: entry?.hash,
    wanted: () => !client.closed,
  });
  if (outcome !== 'ok') return { ok: false, reason: outcome, code: LOGIN_REFUSAL_CODES[outcome] };
  // A login succeeds only against a stored hash.
  if (entry === undefined) return { ok: false, reason: 'unknown_user', code: BAD_USERNAME_OR_PASSWORD };
  // The check took a while: a reload meanwhile may have removed or changed the credential,
  // and its revocation sweep could not see this client yet.
  const current = context.store.get(username);
  if (current?.hash !== entry.hash || !sameGrant(principalFromGrant(entry), current)) {
    return { ok: false, reason: 'credential_changed', code: BAD_USERNAME_OR_PASSWORD };
  }

  const principal = principalFromGrant(entry);
  const will = context.sessions.willOf(client);
  if (will) {
    const acl = canPublish(principal, will.topic);
    const decision =
      acl.allowed && will.retain
        ? context.retained.mayRetain(principal, will.topic, payloadBytes(will.payload))
        : acl;
    if (!decision.allowed) {
      context.refusals.warn(
        { clientId: client.id, username, topic: will.topic, reason: decision.reason },
        'will refused',
      );
      return { ok: false, reason: 'will_denied', code: NOT_AUTHORIZED };
    }
    if (will.qos === 2) {
      return { ok: false, reason: 'will_qos2', code: NOT_AUTHORIZED };
    }
    if (payloadBytes(will.payload) > context.maxPayloadBytes) {
      return { ok: false, reason: 'will_too_large', code: NOT_AUTHORIZED };
    }
  }
  return bindClientId(context, client, principal, entry.hash);
}

function bindClientId(
  context: HookContext,
  client: Client,
  principal: Principal,
  hash: string | undefined,
): Outcome {
  const binding = context.clientIds.bind(principal, client.id);
  if (binding.ok) {
    if (!client.clean && !context.persistentSessions.mayKeep(principal.username, binding.clientId)) {
      return { ok: false, reason: 'too_many_sessions', code: NOT_AUTHORIZED };
    }
    return { ok: true, principal, hash, clientId: binding.clientId };
  }
  context.refusals.warn(
    { clientId: client.id, username: principal.username, owner: binding.owner },
    'client id belongs to another credential',
  );
  return { ok: false, reason: 'client_id_taken', code: IDENTIFIER_REJECTED };
}

/** Where the client connects from; a TLS socket has the same field. */
function remoteAddressOf(client: Client): string | undefined {
  return (client.conn as { remoteAddress?: string }).remoteAddress;
}

function authError(reason: string, code: AuthErrorCode): AuthenticateError {
  return Object.assign(new Error(`authentication refused: ${reason}`), { returnCode: code });
}
