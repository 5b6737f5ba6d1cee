import { z } from 'zod';
import { configBoolean, configNumber, httpsFilesSchema } from '../runtime/index.js';
import { brokerLimitsEnvMap, brokerLimitsSchema } from './admission/admission-config.js';
import { DEFAULT_CREDENTIALS_FILE } from './credentials/credentials-file.js';
import { brokerPersistenceEnvMap, brokerPersistenceSchema } from './persistence/persistence-config.js';
import { brokerTlsEnvMap, brokerTlsSchema } from './tls/tls-config.js';

const port = (fallback: number) => configNumber().pipe(z.number().int().min(0).max(65535)).default(fallback);

/**
 * The broker's hard limit sits above ingest's (256 KiB by default), so a message that
 * is too big for ingest still reaches it and gets a dead-letter record with its reason;
 * only absurd payloads are cut off here, before they cost memory.
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** aedes' own default is 30 s; a gateway on a slow 4G link sends CONNECT well within 10 s of its TCP handshake. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

const brokerConfigFields = z.strictObject({
  mqtt: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: port(1883),
      /** `false` turns the plain TCP listener off (TLS only); absent means on. */
      enabled: configBoolean().optional(),
    })
    .prefault({}),
  http: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: port(9101),
      /** Serve /healthz, /readyz, /metrics over HTTPS. */
      https: httpsFilesSchema.optional(),
    })
    .prefault({}),
  /** MQTT over TLS, beside or instead of plain TCP (tls/tls-config.ts). */
  tls: brokerTlsSchema.optional(),
  /** Sessions and queued messages: on disk unless told otherwise (persistence/persistence-config.ts). */
  persistence: brokerPersistenceSchema.prefault({}),
  /** JSON file written by `broker/cli.ts`; never committed. */
  credentialsFile: z.string().min(1).default(DEFAULT_CREDENTIALS_FILE),
  /** Dev mode: clients without a username may connect and do anything. Never on a reachable network. */
  allowAnonymous: configBoolean().default(false),
  maxPayloadBytes: configNumber()
    .pipe(
      z
        .number()
        .int()
        .min(1)
        .max(256 * 1024 * 1024),
    )
    .default(DEFAULT_MAX_PAYLOAD_BYTES),
  /**
   * A connection that has not sent CONNECT this long after it opened (or after its TLS
   * handshake) is dropped: half-open sockets and clients trickling bytes hold a file
   * descriptor and a client object each. Absent means DEFAULT_CONNECT_TIMEOUT_MS.
   */
  connectTimeoutMs: configNumber().pipe(z.number().int().min(100).max(300_000)).optional(),
  /** Connection and login limits per address and in total (admission/admission-config.ts). */
  limits: brokerLimitsSchema,
});

/** Addresses only this machine reaches. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export const brokerConfigSchema = brokerConfigFields
  .refine((config) => config.mqtt.enabled !== false || config.tls !== undefined, {
    message: 'with the plain listener off (mqtt.enabled=false) configure tls, or no client can connect',
    path: ['mqtt', 'enabled'],
  })
  // requireClientCert means a password alone gets no one in: a plain listener anyone
  // else can reach would let a stolen password in anyway.
  .refine(
    (config) =>
      !config.tls?.requireClientCert || config.mqtt.enabled === false || isLoopback(config.mqtt.host),
    {
      message:
        'with tls.requireClientCert the plain listener must be off (mqtt.enabled: false, BROKER_MQTT_ENABLED=false) ' +
        'or on loopback for the services on this box (mqtt.host: 127.0.0.1), or a password alone would still get in / ' +
        '要求客户端证书时，明文监听须关闭或仅监听本机',
      path: ['mqtt', 'host'],
    },
  )
  // Anonymous clients are let in as admins (dev mode): only where nothing but this box can reach.
  .refine(
    (config) =>
      !config.allowAnonymous ||
      ((config.mqtt.enabled === false || isLoopback(config.mqtt.host)) &&
        (config.tls === undefined || isLoopback(config.tls.host))),
    {
      message:
        'allowAnonymous lets clients without a password do anything: only with every MQTT listener on loopback ' +
        '(mqtt.host, tls.host: 127.0.0.1) / 匿名模式只允许在本机监听时使用',
      path: ['allowAnonymous'],
    },
  );

export type BrokerConfig = z.infer<typeof brokerConfigSchema>;
/** What callers may pass: every field has a default. */
export type BrokerConfigInput = z.input<typeof brokerConfigSchema>;

export const brokerEnvMap = {
  BROKER_MQTT_HOST: 'mqtt.host',
  BROKER_MQTT_PORT: 'mqtt.port',
  BROKER_HTTP_HOST: 'http.host',
  BROKER_HTTP_PORT: 'http.port',
  BROKER_CREDENTIALS_FILE: 'credentialsFile',
  BROKER_ALLOW_ANONYMOUS: 'allowAnonymous',
  BROKER_MAX_PAYLOAD_BYTES: 'maxPayloadBytes',
  BROKER_CONNECT_TIMEOUT_MS: 'connectTimeoutMs',
  BROKER_MQTT_ENABLED: 'mqtt.enabled',
  ...brokerTlsEnvMap,
  ...brokerPersistenceEnvMap,
  ...brokerLimitsEnvMap,
} as const;
