import { describe, expect, it } from 'vitest';
import { loadIngestConfig } from './config.js';
import { partitionOf, sitesOfPartition } from './site-partition.js';

const sites = Array.from({ length: 200 }, (_, i) => `village-${i}`);

describe('site partitions', () => {
  it('gives every site to exactly one of n workers, spread evenly enough', () => {
    for (const count of [1, 2, 3, 7]) {
      const shares = Array.from({ length: count }, (_, i) =>
        sitesOfPartition(sites, { index: i + 1, count }),
      );
      expect(shares.flat().sort()).toEqual([...sites].sort());
      for (const share of shares) expect(share.length).toBeGreaterThan((sites.length / count) * 0.6);
    }
  });

  it('is stable: the same site lands on the same worker every time', () => {
    expect(partitionOf('demo-village', 4)).toBe(partitionOf('demo-village', 4));
    expect(sites.map((site) => partitionOf(site, 2))).toEqual(sites.map((site) => partitionOf(site, 2)));
  });

  it('is configured as "k/n", and each worker gets its own MQTT client id', () => {
    expect(loadIngestConfig({ env: {} })).toMatchObject({
      partition: { index: 1, count: 1 },
      mqtt: { clientId: 'ingest-1' },
    });
    expect(loadIngestConfig({ env: { INGEST_PARTITION: '2/3' } })).toMatchObject({
      partition: { index: 2, count: 3 },
      mqtt: { clientId: 'ingest-2-of-3' },
    });
    expect(
      loadIngestConfig({ env: { INGEST_PARTITION: '2/3', INGEST_MQTT_CLIENT_ID: 'ingest-east' } }).mqtt
        .clientId,
    ).toBe('ingest-east');
    expect(() => loadIngestConfig({ env: { INGEST_PARTITION: '3/2' } })).toThrow(
      /partition.*k must be between 1 and n/s,
    );
    expect(() => loadIngestConfig({ env: { INGEST_PARTITION: 'half' } })).toThrow(/partition.*"k\/n"/s);
  });
});
