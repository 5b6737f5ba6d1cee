import { z } from 'zod';
import { configBoolean, configNumber } from '../runtime/index.js';
import { DEFAULT_CREDENTIALS_FILE } from './credentials/credentials-file.js';

const port = (fallback: number) => configNumber().pipe(z.number().int().min(0).max(65535)).default(fallback);

/**
 * The broker's hard limit sits above ingest's (256 KiB by default), so a message that
 * is too big for ingest still reaches it and gets a dead-letter record with its reason;
 * only absurd payloads are cut off here, before they cost memory.
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

export const brokerConfigSchema = z.strictObject({
  mqtt: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: port(1883),
    })
    .prefault({}),
  http: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: port(9101),
    })
    .prefault({}),
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
});

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
} as const;
