import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadAlertingConfig } from '../../alerting/index.js';
import { createLogger } from '../../runtime/index.js';

const SECRET = {
  mqtt: 'mqtt-password-S3cr3t-1',
  influx: 'influx-password-S3cr3t-2',
  envToken: 'env-api-token-S3cr3t-33333',
  listedToken: 'listed-api-token-S3cr3t-4444',
  webhook: 'webhook-secret-S3cr3t-55555',
  channel: 'channel-secret-S3cr3t-666666',
  header: 'Bearer header-token-S3cr3t-7777777',
};

function captureLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return {
    logger: createLogger('redaction-test', { level: 'trace', destination }),
    text: () => lines.join(''),
  };
}

/**
 * runtime/logger.ts redacts by key. No service logs its whole config today; this
 * proves that one that did (or logged a request) would not leak what it holds.
 */
describe('log redaction', () => {
  it('hides every secret of the alerting config, however deep, when the config is logged', () => {
    const config = loadAlertingConfig({
      env: {
        ALERTING_MQTT_PASSWORD: SECRET.mqtt,
        INFLUX_PASSWORD: SECRET.influx,
        ALERTING_API_TOKEN: SECRET.envToken,
        ALERTING_WEBHOOK_URL: 'http://127.0.0.1:1/hook',
        ALERTING_WEBHOOK_SECRET: SECRET.webhook,
      },
      overrides: {
        'api.tokens': [{ name: 'dashboard', token: SECRET.listedToken, scopes: ['read'] }],
        'notifications.contacts': [
          {
            id: 'duty',
            name: 'duty',
            channels: [{ type: 'webhook', url: 'http://127.0.0.1:1/duty', secret: SECRET.channel }],
          },
        ],
      },
    });
    const { logger, text } = captureLogger();
    logger.info(config, 'config as a log object');
    logger.info({ config }, 'config under a key');
    logger.child({ component: 'x' }).warn({ service: { config } }, 'config two levels down');
    const logged = text();
    expect(logged).toContain('config under a key');
    expect(Object.values(SECRET).filter((secret) => logged.includes(secret))).toEqual([]);
  });

  it('hides the Authorization header of a logged request', () => {
    const { logger, text } = captureLogger();
    logger.info({ req: { method: 'GET', headers: { authorization: SECRET.header } } }, 'request');
    logger.info({ headers: { authorization: SECRET.header } }, 'headers');
    expect(text()).not.toContain('header-token-S3cr3t');
  });

  it('takes credentials out of URLs wherever they are logged, errors included', () => {
    const { logger, text } = captureLogger();
    logger.info({ url: 'mqtt://alerting:url-pw-S3cr3t-8@broker:1883' }, 'connected');
    logger.info(
      { target: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=robot-key-S3cr3t-9&x=1' },
      'wecom',
    );
    logger.info(
      { hook: 'https://oapi.dingtalk.com/robot/send?access_token=ding-token-S3cr3t-10' },
      'dingtalk',
    );
    logger.info({ hook: 'https://open.feishu.cn/open-apis/bot/v2/hook/feishu-token-S3cr3t-11' }, 'feishu');
    logger.info({ write: 'http://influx:8086/write?db=v&u=village&p=influx-p-S3cr3t-12' }, 'influx');
    logger.warn({ err: new Error('fetch http://u:err-pw-S3cr3t-13@influx:8086 failed') }, 'error object');
    logger.warn({ err: 'connect ECONNREFUSED redis://:redis-pw-S3cr3t-14@redis:6379' }, 'error as text');
    const logged = text();
    expect(logged.match(/S3cr3t-\d+/g) ?? []).toEqual([]);
    expect(logged).toContain('qyapi.weixin.qq.com/cgi-bin/webhook/send?key=[redacted]&x=1');
    expect(logged).toContain('"msg":"error as text"');
  });

  it('cuts long strings, in objects and in error messages, to a bounded length', () => {
    const { logger, text } = captureLogger();
    logger.warn({ clientId: 'c'.repeat(60_000), nested: { topic: 't'.repeat(60_000) } }, 'long fields');
    logger.warn({ err: new Error(`publish to ${'x'.repeat(60_000)} denied`) }, 'long error');
    const lines = text().trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.length).toBeLessThan(8_192);
    expect(text()).toContain('…(+59488 chars)');
  });
});
