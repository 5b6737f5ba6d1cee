import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from '../alerting/index.js';
import { NotificationInbox, formatInboxEntry, type InboxEntry } from './notification-inbox.js';

describe('the notification inbox npm start prints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inbox-'));
  const printed: InboxEntry[] = [];
  const inbox = new NotificationInbox({
    port: 0,
    file: join(dir, 'notifications.log'),
    print: (e) => printed.push(e),
  });
  const post = (body: string, secret: string) => {
    const timestamp = String(Date.now());
    return fetch(inbox.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: webhookSignature(secret, timestamp, body),
      },
      body,
    });
  };

  beforeAll(() => inbox.start());
  afterAll(async () => {
    await inbox.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints and keeps a signed notification, Chinese first', async () => {
    const body = JSON.stringify({
      title: '[告警] 火灾报警 · 餐饮',
      text: '[告警] 火灾报警 · 餐饮\n设备：社区食堂火灾报警控制器\n',
    });
    expect((await post(body, inbox.secret)).status).toBe(200);
    expect(printed.map((e) => e.title)).toEqual(['[告警] 火灾报警 · 餐饮']);
    const line = formatInboxEntry(printed[0]!);
    expect(line).toContain('🔔');
    expect(line).toContain('设备：社区食堂火灾报警控制器');
    expect(line.split('\n')).toHaveLength(2);
    const kept = readFileSync(join(dir, 'notifications.log'), 'utf8').trim().split('\n');
    expect(kept.map((l) => (JSON.parse(l) as InboxEntry).title)).toEqual(['[告警] 火灾报警 · 餐饮']);
  });

  it('refuses what alerting did not sign, and what is not a notification', async () => {
    expect((await post(JSON.stringify({ title: 'forged', text: 'x' }), 'not-the-secret')).status).toBe(401);
    expect((await post('not json', inbox.secret)).status).toBe(401);
    expect((await fetch(inbox.url, { method: 'POST', body: '{}' })).status).toBe(401);
    expect(printed).toHaveLength(1);
  });
});
