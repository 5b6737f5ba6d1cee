import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { GENERATED_DIR, writeGenerated } from '../generate.js';
import { generateDashboards } from '../output/generate-dashboards.js';

function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return files;
}

describe('dashboards/generated', () => {
  it('is reproducible: generating twice gives identical bytes', () => {
    expect(generateDashboards()).toEqual(generateDashboards());
  });

  it('is up to date: run `npm run dashboards:generate` and commit when this fails', () => {
    expect(readTree(GENERATED_DIR)).toEqual(generateDashboards());
  });

  it('writes the file map to disk and removes files of dashboards that are gone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboards-generated-'));
    try {
      writeGenerated(dir);
      const stale = join(dir, 'dashboards', 'zh', 'old-board-zh.json');
      writeFileSync(stale, '{}');
      writeGenerated(dir);
      expect(readTree(dir)).toEqual(generateDashboards());
      expect(() => statSync(stale)).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('provisions an InfluxQL data source on ${INFLUX_URL}, database village', () => {
    const yaml = parse(generateDashboards()['provisioning/datasources/influxdb.yaml'] ?? '') as {
      datasources: Array<Record<string, unknown>>;
    };
    expect(yaml.datasources[0]).toMatchObject({
      type: 'influxdb',
      uid: 'village-influxdb',
      url: '${INFLUX_URL}',
      jsonData: { version: 'InfluxQL', dbName: 'village' },
    });
  });
});
