import { z } from 'zod';

/**
 * Ids become MQTT topic levels and InfluxDB tag values, so they are restricted to a
 * set that can never inject a topic level, a wildcard or line-protocol syntax.
 */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const idSchema = z
  .string()
  .regex(
    ID_PATTERN,
    'must be 1-63 chars of lowercase letters, digits and "-", starting with a letter or digit',
  );

export type Id = z.infer<typeof idSchema>;

export function isId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/** `alerts` is a topic level of its own under a site (`v1/{site}/alerts/{rule}`), so no gateway may take it. */
export const RESERVED_GATEWAY_IDS: readonly string[] = ['alerts'];

export const gatewayIdSchema = idSchema.refine((id) => !RESERVED_GATEWAY_IDS.includes(id), {
  message: `must not be one of the reserved ids: ${RESERVED_GATEWAY_IDS.join(', ')}`,
});

/**
 * The MQTT client id a gateway connects upstream with (its persistent session). The
 * central broker lets only that gateway's credential use it, and ids beginning with it.
 */
export function gatewayClientId(site: string, gateway: string): string {
  return `edge-${site}-${gateway}`;
}
