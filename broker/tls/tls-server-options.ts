import { readFileSync } from 'node:fs';
import type { TlsOptions } from 'node:tls';
import { CodedError } from '../../runtime/index.js';
import type { BrokerTlsConfig } from './tls-config.js';

/** A client that opens a socket and never finishes the handshake is dropped after this. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Node TLS server options from the config. With a CA the server requests a client
 * certificate; only `requireClientCert` makes the handshake fail without a valid
 * one, otherwise the CONNECT check (client-certificate.ts) judges what was presented.
 */
export function tlsServerOptions(tls: BrokerTlsConfig): TlsOptions {
  const ca = tls.caFile === undefined ? undefined : readPem('CA', tls.caFile);
  return {
    cert: readPem('certificate', tls.certFile),
    key: readPem('key', tls.keyFile),
    ...(ca ? { ca } : {}),
    requestCert: ca !== undefined,
    rejectUnauthorized: tls.requireClientCert,
    minVersion: 'TLSv1.2',
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
  };
}

function readPem(what: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new CodedError('CONFIG_INVALID', `cannot read TLS ${what} ${file}: ${(error as Error).message}`);
  }
}
