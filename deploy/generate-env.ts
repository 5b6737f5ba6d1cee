import { randomBytes } from 'node:crypto';

/** Variables of `deploy/env.example` that hold secrets: `deploy/cli.ts env` fills each with a random value. */
export const SECRET_VARIABLES = [
  'INGEST_MQTT_PASSWORD',
  'ALERTING_MQTT_PASSWORD',
  'EDGE_UPSTREAM_PASSWORD',
  'ALERTING_API_TOKEN',
  'REPORTS_API_TOKEN',
  'ALERTING_ADMIN_PASSWORD',
  'GRAFANA_ADMIN_PASSWORD',
] as const;

/** 24 random bytes as base64url: 32 characters, safe in `.env`, YAML and shell alike. */
export function randomSecret(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The example env file with every empty secret line (`NAME=`) given a fresh random
 * value; comments and other settings are kept as they are.
 */
export function fillSecrets(example: string, secret: () => string = randomSecret): string {
  const secrets = new Set<string>(SECRET_VARIABLES);
  return example
    .split('\n')
    .map((line) => {
      const match = /^([A-Z0-9_]+)=\s*$/.exec(line);
      return match?.[1] && secrets.has(match[1]) ? `${match[1]}=${secret()}` : line;
    })
    .join('\n');
}
