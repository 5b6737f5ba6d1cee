import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * An enrolment token as the platform stores it: `site/gateway/<sha256 of the token>`.
 * A token lets its holder enrol devices for that one gateway of that one site; the
 * token itself (random, 32 bytes or more) is given to the technician, only its hash is
 * kept.
 */
export const enrolmentTokenSchema = z
  .string()
  .regex(/^[a-z0-9-]+\/[a-z0-9-]+\/[0-9a-f]{64}$/, 'must be "site/gateway/<sha256 hex of the token>"')
  .transform((value) => {
    const [site, gateway, sha256] = value.split('/') as [string, string, string];
    return { site, gateway, sha256 };
  });
export type EnrolmentToken = z.infer<typeof enrolmentTokenSchema>;

export function hashEnrolmentToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The site and gateway a presented token is good for, or undefined. */
export function enrolmentScopeOf(
  tokens: readonly EnrolmentToken[],
  presented: string,
): { site: string; gateway: string } | undefined {
  const hash = Buffer.from(hashEnrolmentToken(presented), 'hex');
  let scope: { site: string; gateway: string } | undefined;
  for (const token of tokens) {
    // Every entry is compared, in constant time, whatever matched first.
    if (timingSafeEqual(hash, Buffer.from(token.sha256, 'hex')) && !scope) {
      scope = { site: token.site, gateway: token.gateway };
    }
  }
  return scope;
}
