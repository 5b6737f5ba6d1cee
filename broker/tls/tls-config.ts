import { z } from 'zod';
import { configBoolean, configNumber } from '../../runtime/index.js';

/** IANA's port for MQTT over TLS. */
export const DEFAULT_MQTT_TLS_PORT = 8883;

/**
 * The MQTT-over-TLS listener. With `caFile` the broker asks every client for a
 * certificate; a client that presents one must present one signed by that CA
 * whose CN (or a DNS subjectAltName) equals its MQTT username. With
 * `requireClientCert` a client without such a certificate is refused, so a
 * stolen password alone no longer gets a gateway in.
 */
export const brokerTlsSchema = z
  .strictObject({
    /** Loopback by default like every listener here; gateways on the internet need `0.0.0.0` or the WAN address. */
    host: z.string().min(1).default('127.0.0.1'),
    port: configNumber().pipe(z.number().int().min(0).max(65535)).default(DEFAULT_MQTT_TLS_PORT),
    /** PEM certificate (with its chain) the broker presents. */
    certFile: z.string().min(1),
    /** PEM private key of that certificate; keep it mode 0600. */
    keyFile: z.string().min(1),
    /** PEM CA that signs gateway (client) certificates. */
    caFile: z.string().min(1).optional(),
    requireClientCert: configBoolean().default(false),
  })
  .refine((tls) => !tls.requireClientCert || tls.caFile !== undefined, {
    message: 'requireClientCert needs caFile (the CA that signs client certificates)',
    path: ['caFile'],
  });

export type BrokerTlsConfig = z.infer<typeof brokerTlsSchema>;

export const brokerTlsEnvMap = {
  BROKER_TLS_HOST: 'tls.host',
  BROKER_TLS_PORT: 'tls.port',
  BROKER_TLS_CERT_FILE: 'tls.certFile',
  BROKER_TLS_KEY_FILE: 'tls.keyFile',
  BROKER_TLS_CA_FILE: 'tls.caFile',
  BROKER_TLS_REQUIRE_CLIENT_CERT: 'tls.requireClientCert',
  BROKER_HTTPS_CERT_FILE: 'http.https.certFile',
  BROKER_HTTPS_KEY_FILE: 'http.https.keyFile',
} as const;
