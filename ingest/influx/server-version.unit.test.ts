import { describe, expect, it } from 'vitest';
import { parseVersion, selectWriteApi } from './server-version.js';

const target = { url: 'http://influx:8086', database: 'village' };

describe('write API selection from /ping', () => {
  it('reads the versions InfluxDB servers report', () => {
    expect(parseVersion('1.6.7')).toEqual([1, 6]);
    expect(parseVersion('v2.7.11')).toEqual([2, 7]);
    expect(parseVersion('1.8.10-c1.8.10')).toEqual([1, 8]);
    expect(parseVersion('3.0.1')).toEqual([3, 0]);
    expect(parseVersion('OSS')).toBeUndefined();
  });

  it('uses /write before 1.8', () => {
    expect(selectWriteApi('1.6.7', target).api).toBe('v1');
    expect(selectWriteApi('1.7.11', { ...target, token: 't' }).api).toBe('v1');
  });

  it('uses /api/v2/write on 1.8 with bucket = database and token = username:password', () => {
    expect(selectWriteApi('1.8.10', { ...target, username: 'u', password: 'p' })).toMatchObject({
      api: 'v2',
      bucket: 'village',
      org: '-',
      token: 'u:p',
    });
    expect(selectWriteApi('1.8.10', { ...target, bucket: 'village/autogen' })).toMatchObject({
      bucket: 'village/autogen',
    });
  });

  it('uses /api/v2/write on 2.x (org required) and 3.x', () => {
    expect(selectWriteApi('v2.7.11', { ...target, token: 'tok', org: 'county', bucket: 'b' })).toMatchObject({
      api: 'v2',
      org: 'county',
      bucket: 'b',
      token: 'tok',
    });
    expect(() => selectWriteApi('v2.7.11', { ...target, token: 'tok' })).toThrow(/influx\.org/);
    expect(selectWriteApi('3.0.1', { ...target, token: 'tok' })).toMatchObject({
      api: 'v2',
      bucket: 'village',
    });
  });

  it('falls back on the token when the server does not say its version', () => {
    expect(selectWriteApi(undefined, target).api).toBe('v1');
    expect(selectWriteApi(undefined, { ...target, token: 'tok' }).api).toBe('v2');
  });
});
