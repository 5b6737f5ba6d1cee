import type { AedesOptions, AuthenticateError, AuthErrorCode } from 'aedes';
import type { HookContext } from '../auth/hook-context.js';
import { checkClientCertificate } from './client-certificate.js';

type AuthenticateHandler = NonNullable<AedesOptions['authenticate']>;

// CONNACK return code 5, "not authorized" (MQTT 3.1.1, 3.2.2.3).
const NOT_AUTHORIZED = 5 as AuthErrorCode;

/**
 * Puts the client-certificate check in front of the password check: a client on
 * the TLS listener whose certificate is untrusted, or names someone other than
 * its username, is refused before its password is even looked at.
 */
export function withClientCertificateCheck(
  inner: AuthenticateHandler,
  context: HookContext,
  requireClientCert: boolean,
): AuthenticateHandler {
  return (client, username, password, done) => {
    const decision = checkClientCertificate(client.conn, username, requireClientCert);
    if (decision.ok) return inner(client, username, password, done);
    context.metrics.authFailures.inc({ reason: decision.reason });
    context.refusals.warn(
      { clientId: client.id, username, reason: decision.reason, certificateNames: decision.names },
      'connection refused: client certificate',
    );
    const error: AuthenticateError = Object.assign(new Error(`authentication refused: ${decision.reason}`), {
      returnCode: NOT_AUTHORIZED,
    });
    done(error, false);
  };
}
