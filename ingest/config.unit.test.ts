import { describe, expect, it } from 'vitest';
import { TAPPED_CLIENT_PROTOCOLS } from '../runtime/index.js';
import { DEMO_SITE_FILE } from '../site/index.js';
import { loadIngestConfig } from './config.js';

describe('ingest config', () => {
  it('has working defaults', () => {
    const config = loadIngestConfig({ env: {} });
    expect(config).toMatchObject({
      mqtt: { clientId: 'ingest-1' },
      siteFiles: [DEMO_SITE_FILE],
      influx: { database: 'village', createDatabase: true },
      batchSize: 5000,
      batchMessages: 500,
      flushIntervalMs: 1000,
      maxBackoffMs: 30_000,
      maxPayloadBytes: 256 * 1024,
      maxAgeDays: 30,
      maxFutureS: 300,
      deadLetterFile: './data/ingest/dead-letter.jsonl',
      http: { host: '127.0.0.1', port: 9102 },
    });
  });

  it('reads the environment map', () => {
    const config = loadIngestConfig({
      env: {
        INGEST_MQTT_URL: 'mqtts://broker:8883',
        INGEST_MQTT_CLIENT_ID: 'ingest-7',
        INGEST_SITE_FILES: 'a.yaml, b.yaml',
        INFLUX_URL: 'http://influx:8086',
        INFLUX_TOKEN: 'secret',
        INFLUX_ORG: 'county',
        INFLUX_BUCKET: 'village/autogen',
        INGEST_BATCH_SIZE: '100',
        INGEST_FLUSH_INTERVAL_MS: '250',
        INGEST_MAX_BUFFERED_POINTS: '20000',
        INGEST_HTTP_PORT: '0',
        INGEST_DEAD_LETTER_FILE: '/tmp/dl.jsonl',
      },
    });
    expect(config.mqtt).toMatchObject({ url: 'mqtts://broker:8883', clientId: 'ingest-7' });
    expect(config.siteFiles).toEqual(['a.yaml', 'b.yaml']);
    expect(config.influx).toMatchObject({ token: 'secret', org: 'county', bucket: 'village/autogen' });
    expect([config.batchSize, config.flushIntervalMs, config.maxBufferedPoints, config.http.port]).toEqual([
      100, 250, 20_000, 0,
    ]);
    expect(config.deadLetterFile).toBe('/tmp/dl.jsonl');
  });

  it('names the bad field and its variable', () => {
    expect(() => loadIngestConfig({ env: { INGEST_BATCH_SIZE: 'many' } })).toThrow(
      /batchSize \(from INGEST_BATCH_SIZE\)/,
    );
  });

  it('refuses a broker URL it cannot open, naming the field and the fix', () => {
    expect(() => loadIngestConfig({ env: { INGEST_MQTT_URL: 'ws://broker:8080/mqtt' } })).toThrow(
      /mqtt\.url \(from INGEST_MQTT_URL\): 请用 mqtt:\/\/主机:1883.* \/ use mqtt:\/\/host:1883, or mqtts:\/\/host:8883 for TLS/,
    );
    expect(() =>
      loadIngestConfig({ env: { INGEST_MQTT_FAILOVER_URLS: 'mqtt://a:1883, wss://b:443' } }),
    ).toThrow(/mqtt\.failoverUrls/);
  });

  it('takes a broker URL of every protocol its connections open', () => {
    for (const protocol of TAPPED_CLIENT_PROTOCOLS) {
      const url = `${protocol}://broker:1883`;
      const { mqtt } = loadIngestConfig({ env: { INGEST_MQTT_URL: url, INGEST_MQTT_FAILOVER_URLS: url } });
      expect(mqtt).toMatchObject({ url, failoverUrls: [url] });
    }
  });

  it('speaks MQTT 3.1.1 by default and MQTT 5 with a shared subscription when asked', () => {
    expect(loadIngestConfig({ env: {} }).mqtt).toMatchObject({ protocolVersion: 4 });
    const config = loadIngestConfig({
      env: {
        INGEST_MQTT_PROTOCOL_VERSION: '5',
        INGEST_MQTT_SHARE_GROUP: 'county-ingest',
        INGEST_MQTT_CONNECTIONS: '8',
      },
    });
    expect(config.mqtt).toMatchObject({ protocolVersion: 5, shareGroup: 'county-ingest', connections: 8 });
  });

  it('refuses an MQTT version it does not speak, a share group MQTT cannot carry, and partitions on MQTT 5', () => {
    expect(() => loadIngestConfig({ env: { INGEST_MQTT_PROTOCOL_VERSION: '3' } })).toThrow(
      /mqtt\.protocolVersion \(from INGEST_MQTT_PROTOCOL_VERSION\).*4 \(MQTT 3\.1\.1\) or 5/s,
    );
    expect(() =>
      loadIngestConfig({ env: { INGEST_MQTT_PROTOCOL_VERSION: '5', INGEST_MQTT_SHARE_GROUP: 'a/+' } }),
    ).toThrow(/mqtt\.shareGroup/);
    expect(() =>
      loadIngestConfig({ env: { INGEST_MQTT_PROTOCOL_VERSION: '5', INGEST_PARTITION: '1/2' } }),
    ).toThrow(/partition.*share one subscription/s);
  });
});
