import { addCredential, readCredentialsFile, verifyPassword, type Credential } from '../../broker/index.js';
import type { ServiceAccount } from './service-accounts.js';

export type SyncOutcome = 'created' | 'updated' | 'unchanged';

/**
 * Makes the credentials file hold each account with exactly this password and grant.
 * Other users (gateways added with `broker/cli.ts add`) are left alone, so running it
 * on every start is safe; a password changed in `.env` is applied on the next start.
 */
export async function syncCredentials(
  file: string,
  accounts: readonly ServiceAccount[],
): Promise<Record<string, SyncOutcome>> {
  const outcomes: Record<string, SyncOutcome> = {};
  for (const account of accounts) {
    const existing = (await readCredentialsFile(file)).find((c) => c.username === account.username);
    if (existing && (await matches(existing, account))) {
      outcomes[account.username] = 'unchanged';
      continue;
    }
    await addCredential(file, { ...account, replace: true });
    outcomes[account.username] = existing ? 'updated' : 'created';
  }
  return outcomes;
}

async function matches(existing: Credential, account: ServiceAccount): Promise<boolean> {
  const sameGrant =
    existing.role === account.role &&
    existing.gateway === account.gateway &&
    existing.sites.join(',') === account.sites.join(',');
  return sameGrant && (await verifyPassword(account.password, existing.hash));
}
