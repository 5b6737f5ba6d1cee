import { z } from 'zod';

/**
 * Which share of the sites this ingest worker takes: "k/n" is worker k of n. Workers
 * with the same n and different k subscribe to disjoint sets of sites, so each
 * message is written by exactly one of them; together they cover every site.
 */
export const sitePartitionSchema = z
  .string()
  .regex(/^\d+\/\d+$/, 'worker k of n, written "k/n", e.g. "1/2"')
  .transform((text) => {
    const [index, count] = text.split('/').map(Number) as [number, number];
    return { index, count };
  })
  .refine((partition) => partition.count >= 1 && partition.index >= 1 && partition.index <= partition.count, {
    message: 'k must be between 1 and n, e.g. "1/2" and "2/2" for two workers',
  });

export type SitePartition = z.infer<typeof sitePartitionSchema>;

/** The sites of `siteIds` that belong to this worker. */
export function sitesOfPartition(siteIds: readonly string[], partition: SitePartition): string[] {
  return siteIds.filter((site) => partitionOf(site, partition.count) === partition.index);
}

/** 1-based; FNV-1a over the site id, so the assignment is stable across restarts and machines. */
export function partitionOf(site: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < site.length; i++) {
    hash ^= site.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % count) + 1;
}

/** A worker's MQTT client id must be its own, or two workers would take each other's session. */
export function defaultIngestClientId(partition: SitePartition): string {
  return partition.count === 1 ? 'ingest-1' : `ingest-${partition.index}-of-${partition.count}`;
}
