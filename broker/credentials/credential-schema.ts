import { z } from 'zod';
import { gatewayIdSchema, idSchema } from '../../contracts/index.js';

export const ROLES = ['gateway', 'ingest', 'alerting', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** `['*']` means every site; otherwise a list of site ids. */
export const ALL_SITES = '*';
export const sitesSchema = z.union([
  z.tuple([z.literal(ALL_SITES)]),
  z.array(idSchema).min(1, 'must name at least one site (or "*" for all)'),
]);

/** Usernames appear in logs and as MQTT usernames: printable, no spaces, no wildcards. */
export const usernameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 chars of letters, digits, ".", "_" or "-"');

/** `scrypt$N$r$p$saltB64$hashB64`; parsed and bounded again by verifyPassword. */
export const passwordHashSchema = z
  .string()
  .regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, 'must be scrypt$N$r$p$salt$hash');

const grantShape = {
  username: usernameSchema,
  role: roleSchema,
  sites: sitesSchema,
  gateway: gatewayIdSchema.optional(),
};

interface GrantFields {
  role: Role;
  sites: readonly string[];
  gateway?: string | undefined;
}

function checkGrant(grant: GrantFields, ctx: z.RefinementCtx): void {
  if (grant.role === 'gateway') {
    if (grant.gateway === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['gateway'],
        message: 'a gateway credential needs its gateway id',
      });
    }
    if (grant.sites.length !== 1 || grant.sites[0] === ALL_SITES) {
      ctx.addIssue({
        code: 'custom',
        path: ['sites'],
        message: 'a gateway credential is bound to exactly one site',
      });
    }
  } else if (grant.gateway !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['gateway'],
      message: `only gateway credentials carry a gateway id, not ${grant.role}`,
    });
  }
}

/** What a credential grants, without its secret. */
export const grantSchema = z.strictObject(grantShape).superRefine(checkGrant);
export type Grant = z.infer<typeof grantSchema>;

export const credentialSchema = z
  .strictObject({ ...grantShape, hash: passwordHashSchema })
  .superRefine(checkGrant);
export type Credential = z.infer<typeof credentialSchema>;

export const CREDENTIALS_FILE_VERSION = 1;

/**
 * A versioned file of credentials in which each username stands once: the broker's, and
 * the gateway's LAN credentials (edge/lan) with entries of their own.
 */
export function credentialsFileSchemaOf<
  Version extends number,
  Entry extends z.ZodType<{ username: string }>,
>(version: Version, entry: Entry) {
  return z
    .strictObject({
      version: z.literal(version),
      credentials: z.array(entry),
    })
    .superRefine((file, ctx) => {
      const seen = new Set<string>();
      file.credentials.forEach((credential, index) => {
        if (seen.has(credential.username)) {
          ctx.addIssue({
            code: 'custom',
            path: ['credentials', index, 'username'],
            message: `duplicate username ${credential.username}`,
          });
        }
        seen.add(credential.username);
      });
    });
}

export const credentialsFileSchema = credentialsFileSchemaOf(CREDENTIALS_FILE_VERSION, credentialSchema);
export type CredentialsFile = z.infer<typeof credentialsFileSchema>;
