import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configBoolean, configNumber, loadConfig } from '../config.js';
import { CodedError } from '../errors.js';

const schema = z.strictObject({
  mqtt: z.strictObject({ url: z.string().url(), password: z.string().optional() }),
  batchSize: configNumber().pipe(z.number().int().positive()).default(10),
  devMode: configBoolean().default(false),
});

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function yamlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  dirs.push(dir);
  const file = join(dir, 'config.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('merges file, environment and overrides, and freezes the result', () => {
    const file = yamlFile('mqtt:\n  url: mqtt://a:1883\nbatchSize: 5\n');
    const config = loadConfig({
      schema,
      file,
      envMap: { MQTT_PASSWORD: 'mqtt.password', DEV: 'devMode', BATCH: 'batchSize' },
      env: { MQTT_PASSWORD: '123456', DEV: 'true', BATCH: '7' },
    });
    expect(config).toEqual({
      mqtt: { url: 'mqtt://a:1883', password: '123456' },
      batchSize: 7,
      devMode: true,
    });
    expect(Object.isFrozen(config.mqtt)).toBe(true);
  });

  it('names every bad field and where it came from', () => {
    const file = yamlFile('mqtt:\n  url: not-a-url\n');
    let error: unknown;
    try {
      loadConfig({ schema, file, envMap: { BATCH: 'batchSize' }, env: { BATCH: 'ten' } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CodedError);
    const message = (error as Error).message;
    expect(message).toMatch(/CONFIG_INVALID/);
    expect(message).toMatch(/mqtt\.url \(in .*config\.yaml\)/);
    expect(message).toMatch(/batchSize \(from BATCH\)/);
  });

  it('rejects a file that is not YAML or not a mapping', () => {
    expect(() => loadConfig({ schema, file: yamlFile('- a\n- b\n') })).toThrow(/mapping at the top level/);
    expect(() => loadConfig({ schema, file: yamlFile('a: [\n') })).toThrow(/not valid YAML/);
    expect(() => loadConfig({ schema, file: '/nonexistent/config.yaml' })).toThrow(/cannot read config file/);
  });
});
