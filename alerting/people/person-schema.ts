import { z } from 'zod';
import { idSchema } from '../../contracts/index.js';

/** What a person may do on the page: each role includes the ones before it. */
export const PERSON_ROLES = ['viewer', 'operator', 'admin'] as const;
export const personRoleSchema = z.enum(PERSON_ROLES);
export type PersonRole = z.infer<typeof personRoleSchema>;

export function roleAllows(role: PersonRole, needed: PersonRole): boolean {
  return PERSON_ROLES.indexOf(role) >= PERSON_ROLES.indexOf(needed);
}

/** Mainland mobile numbers and international ones with a "+": what DingTalk and WeCom @-mention. */
export const phoneSchema = z
  .string()
  .trim()
  .regex(/^\+?[0-9]{5,20}$/, 'digits only, optionally starting with +, e.g. 13800138000');

export const personNameSchema = z.string().trim().min(1).max(64);

/** An account on the operators' page; the id is the log-in name. */
export const personSchema = z.object({
  id: idSchema,
  name: personNameSchema,
  phone: phoneSchema.optional(),
  role: personRoleSchema,
  /** scrypt (runtime/password-hash.ts); absent until a password is set: such a person can still use links. */
  passwordHash: z.string().optional(),
  disabled: z.boolean().default(false),
  /** Raised to end every session of the person (log-out, password change, disabling). */
  sessionVersion: z.number().int().nonnegative().default(0),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Person = z.infer<typeof personSchema>;

export const peopleFileSchema = z.object({
  version: z.literal(1),
  people: z.array(personSchema),
  /** Hash of the YAML `people` last applied (people-store.ts). */
  seedHash: z.string().optional(),
});

/** A person as the YAML config lists them: no password (set on the page, or links only). */
export const personSeedSchema = z.strictObject({
  id: idSchema,
  name: personNameSchema,
  phone: phoneSchema.optional(),
  role: personRoleSchema.default('operator'),
});
export type PersonSeed = z.infer<typeof personSeedSchema>;
