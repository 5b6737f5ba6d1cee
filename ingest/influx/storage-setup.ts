import type { Logger } from '../../runtime/index.js';
import { applyStoragePolicy, type StoragePolicy } from '../../storage/index.js';
import type { InfluxTarget } from './server-version.js';

/**
 * Applies the storage policy (raw retention, roll-up retention policies and continuous
 * queries; storage/) once ingest has reached an InfluxDB 1.x. A failure (a user without
 * admin rights, say) is logged and writing goes on: points must never wait for it.
 */
export async function setUpStorage(
  target: InfluxTarget & { timeoutMs: number },
  policy: StoragePolicy,
  logger: Logger,
): Promise<void> {
  if (!policy.manage) return;
  try {
    const applied = await applyStoragePolicy(
      { url: target.url, username: target.username, password: target.password, timeoutMs: target.timeoutMs },
      target.database,
      policy,
    );
    logger.info(
      { rawRetention: policy.raw, rawRp: applied.rawRp, changes: applied.changes },
      'InfluxDB retention policies and roll-ups in place',
    );
  } catch (error) {
    logger.warn(
      { err: (error as Error).message },
      '保留策略未能设置 / could not set up retention and roll-ups; raw points are kept as the database says',
    );
  }
}
