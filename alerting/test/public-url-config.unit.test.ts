import { describe, expect, it } from 'vitest';
import { alertingConfigSchema } from '../service/config.js';

const base = { api: { token: 'config-test-token-0123456789' } };
const issues = (config: Record<string, unknown>) => {
  const result = alertingConfigSchema.safeParse({ ...base, ...config });
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('the public URL links are built on', () => {
  it('may be left out, or be localhost, while the service listens on loopback (a laptop)', () => {
    expect(issues({})).toEqual([]);
    expect(issues({ http: { host: '127.0.0.1' }, publicUrl: 'http://localhost:9105' })).toEqual([]);
  });

  it('is required, and may not be a loopback address, once the service listens beyond loopback', () => {
    expect(issues({ http: { host: '0.0.0.0' } })[0]).toMatch(/^publicUrl: .*set ALERTING_PUBLIC_URL/);
    for (const url of [
      'http://localhost:9105',
      'http://127.0.0.1:9105',
      'http://[::1]:9105',
      'http://0.0.0.0:9105',
    ])
      expect(issues({ http: { host: '0.0.0.0' }, publicUrl: url })[0], url).toMatch(
        /only reaches the server itself/,
      );
    expect(issues({ http: { host: '192.168.1.10' }, publicUrl: 'http://192.168.1.10:9105' })).toEqual([]);
    expect(issues({ http: { host: '0.0.0.0' }, publicUrl: 'https://alerts.village.example' })).toEqual([]);
  });

  it('is an http or https URL', () => {
    expect(issues({ publicUrl: 'ftp://alerts.village.example' })[0]).toMatch(/^publicUrl: must be an http/);
  });
});

describe('robot webhook URLs', () => {
  const robot = (type: string, url: string) =>
    issues({
      notifications: { contacts: [{ id: 'group', name: '群', channels: [{ type, url }] }] },
    });

  it('carry their key over https only (plain http to a relay on this machine)', () => {
    for (const type of ['wecom', 'dingtalk', 'feishu']) {
      expect(robot(type, 'http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k')[0], type).toMatch(
        /use https:\/\//,
      );
      expect(robot(type, 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k'), type).toEqual([]);
      expect(robot(type, 'http://127.0.0.1:8080/relay'), type).toEqual([]);
    }
  });
});
