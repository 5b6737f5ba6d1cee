import { TLSSocket, type PeerCertificate } from 'node:tls';
import type { Connection } from 'aedes';

export type ClientCertificateRefusal =
  'client_cert_missing' | 'client_cert_untrusted' | 'client_cert_mismatch';

export type ClientCertificateDecision =
  | { ok: true; names: readonly string[] }
  | { ok: false; reason: ClientCertificateRefusal; names: readonly string[] };

/** The names a certificate speaks for: its subject CN and its DNS subjectAltNames. */
export function certificateNames(certificate: PeerCertificate): string[] {
  const names: string[] = [];
  const cn = certificate.subject?.CN as string | string[] | undefined;
  if (typeof cn === 'string') names.push(cn);
  else if (Array.isArray(cn)) names.push(...cn);
  for (const entry of (certificate.subjectaltname ?? '').split(',')) {
    const match = /^\s*DNS:(.+?)\s*$/.exec(entry);
    if (match) names.push(match[1] as string);
  }
  return names;
}

/**
 * Judges the certificate a client presented on the TLS listener against the
 * username in its CONNECT. Plain TCP clients are not judged here (they have no
 * certificate; binding the plain listener to loopback is what protects it).
 */
export function checkClientCertificate(
  connection: Connection,
  username: string | undefined,
  requireClientCert: boolean,
): ClientCertificateDecision {
  if (!(connection instanceof TLSSocket)) return { ok: true, names: [] };
  const certificate = connection.getPeerCertificate();
  const presented = certificate !== null && Object.keys(certificate).length > 0;
  if (!presented) {
    return requireClientCert
      ? { ok: false, reason: 'client_cert_missing', names: [] }
      : { ok: true, names: [] };
  }
  const names = certificateNames(certificate);
  if (!connection.authorized) return { ok: false, reason: 'client_cert_untrusted', names };
  if (username === undefined || username === '' || !names.includes(username)) {
    return { ok: false, reason: 'client_cert_mismatch', names };
  }
  return { ok: true, names };
}
