import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertingService, alertingConfigSchema } from '../../alerting/index.js';
import { topics } from '../../contracts/index.js';
import { createLogger, waitFor } from '../../runtime/index.js';
import { BareBroker, HttpReceiver } from '../support/index.js';
import { fillDisk, fillLastBytes, freeDisk, mountTmpfs, tmpfsAvailable, unmount } from './support/index.js';

const TMPFS = tmpfsAvailable();
const PANELS = [
  'maker-hall-fire-panel',
  'fab-lab-fire-panel',
  'exchange-hall-fire-panel',
  'incubator-fire-panel',
  'culture-house-fire-panel',
];
const SITE = 'demo-village';
const GATEWAY = 'gw-center';

/**
 * Alerting's journal disk fills up (a village's SD card) while fire alarms come in: alerting
 * keeps running (an unhandled error fails the run), judges and tells them, says on /readyz
 * that its journal cannot be written, and journals them once the disk has room again.
 */
describe.skipIf(!TMPFS)('fault: alerting’s journal disk is full', () => {
  const root = mkdtempSync(join(tmpdir(), 'faults-alerting-disk-'));
  const disk = join(root, 'disk');
  const filler = join(disk, 'filler');
  const broker = new BareBroker();
  const webhook = new HttpReceiver();
  let gateway: mqtt.MqttClient;
  let service: AlertingService | undefined;
  let seq = 0;

  const fireAlarm = (device: string) =>
    gateway.publishAsync(
      topics.event(SITE, GATEWAY, device),
      JSON.stringify({ ts: Date.now(), seq: ++seq, type: 'fire_alarm', data: {} }),
      { qos: 1 },
    );
  const readyz = async () => {
    const response = await fetch(`${service!.httpUrl}/readyz`);
    return { status: response.status, text: await response.text() };
  };
  const notified = (device: string) =>
    webhook.requests.some(
      (r) => r.body.includes(`"device":"${device}"`) && r.body.includes('"reason":"firing"'),
    );

  beforeAll(async () => {
    mountTmpfs(disk, 4 * 1024 * 1024);
    await Promise.all([broker.start(), webhook.start()]);
    service = new AlertingService(
      alertingConfigSchema.parse({
        mqtt: { url: broker.url, clientId: 'alerting-disk-full-test' },
        http: { port: 0 },
        dataDir: join(disk, 'alerting'),
        tickMs: 50,
        api: { tokens: ['disk-full-token-0123456789'] },
        webhookUrl: `${webhook.url}/hook`,
        notifications: { publishMqtt: false, retryBaseMs: 100, retryMaxMs: 300, maxAttempts: 100 },
      }),
      { logger: createLogger('alerting-test', { level: 'silent' }) },
    );
    await service.start();
    await waitFor('alerting subscribed', () => service!.ready);
    gateway = await mqtt.connectAsync(broker.url, { clientId: 'disk-full-gateway', reconnectPeriod: 0 });
  });

  afterAll(async () => {
    await gateway?.endAsync();
    await service?.stop().catch(() => undefined);
    await broker.stop();
    await webhook.stop();
    unmount(disk);
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps judging and telling alarms while the disk is full, says so on /readyz, and journals them once there is room', async () => {
    await fireAlarm('canteen-fire-panel');
    await waitFor('the first alarm told', () => notified('canteen-fire-panel'));

    await fillDisk(filler, disk);
    fillLastBytes(filler);
    for (const panel of PANELS) await fireAlarm(panel);
    await waitFor('/readyz says the journal cannot be written', async () => (await readyz()).status === 503);
    expect((await readyz()).text).toContain('journal');
    await waitFor('the alarms told while the disk is full', () => PANELS.every(notified));

    freeDisk(filler);
    rmSync(`${filler}.last`, { force: true });
    await waitFor('ready again once there is room', async () => (await readyz()).status === 200, {
      timeoutMs: 15_000,
    });
    const journal = readFileSync(join(disk, 'alerting', 'alerting-journal.jsonl'), 'utf8');
    for (const panel of PANELS) expect(journal, panel).toContain(`"device":"${panel}"`);
    // Every line whole: a write the full disk took only part of was finished, not torn.
    for (const line of journal.split('\n').filter((l) => l !== ''))
      expect(() => JSON.parse(line)).not.toThrow();
  });
});
