import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../runtime/index.js';

export const PAGE_SECRET_FILE = 'page-secret';

/** One key per use, derived from the master secret, so a token of one kind never passes for another. */
export interface PageKeys {
  link: Buffer;
  session: Buffer;
  csrf: Buffer;
}

/**
 * The master secret from the config (ALERTING_PAGE_SECRET), or the one generated in
 * dataDir/page-secret (mode 0600) at the first start: links and sessions stay valid
 * across restarts, and every install has its own key.
 */
export function loadPageKeys(configured: string | undefined, dataDir: string): PageKeys {
  const master = configured ?? storedSecret(join(dataDir, PAGE_SECRET_FILE));
  const derive = (use: string) => createHmac('sha256', master).update(`village-alerting/${use}`).digest();
  return { link: derive('link'), session: derive('session'), csrf: derive('csrf') };
}

function storedSecret(file: string): string {
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) return secret;
  }
  const secret = randomBytes(32).toString('base64url');
  writeFileAtomic(file, `${secret}\n`);
  return secret;
}
