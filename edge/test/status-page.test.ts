import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeReading, getModbusProfile } from '../../devices/index.js';
import { waitFor } from '../../runtime/index.js';
import type { Gateway } from '../gateway.js';
import { ModbusTestServer } from './support/modbus-test-server.js';
import { UpstreamBroker } from './support/upstream-broker.js';
import { startGateway, tempDir, testConfig } from './support/gateway-harness.js';

const profile = getModbusProfile('eastron-sdm120');

describe('local status page', () => {
  const server = new ModbusTestServer();
  const upstream = new UpstreamBroker();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gateway: Gateway;
  let browser: BrowserContext;
  let profileDir: string;

  beforeAll(async () => {
    dir = await tempDir();
    profileDir = await mkdtemp(join(tmpdir(), 'edge-chromium-'));
    await Promise.all([server.start(), upstream.start()]);
    server.serve(1, encodeReading(profile, { voltage_v: 229.5, current_a: 4.25, frequency_hz: 50 }));
    server.setSilent(2, true);
    gateway = await startGateway(
      testConfig(upstream.url, dir.path, {
        modbus: {
          offlineAfterFailures: 1,
          buses: [
            server.bus(
              [
                { id: 'hall-meter', profile: profile.id, unitId: 1, pollIntervalS: 0.2 },
                { id: 'dead-meter', profile: profile.id, unitId: 2, pollIntervalS: 0.2 },
              ],
              {
                id: 'bus-hall',
                // Long enough that a busy CI box never fails a poll of the good meter (offline after one failure).
                timeoutMs: 1000,
                retries: 0,
              },
            ),
          ],
        },
      }),
    );
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await Promise.all([server.stop(), upstream.stop()]);
    await dir?.remove();
    await rm(profileDir, { recursive: true, force: true });
  });

  it('shows the good meter’s values with units and the dead meter’s error in plain words', async () => {
    await waitFor(
      'dead meter offline',
      () => gateway.devices().find((d) => d.id === 'dead-meter')?.online === false,
    );
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1200, height: 500 });
    await page.goto(`http://127.0.0.1:${gateway.httpPort}/`);
    const good = page.locator('tr[data-device="hall-meter"]');
    const dead = page.locator('tr[data-device="dead-meter"]');
    await good.locator('.values', { hasText: '电压 Voltage 229.5 V' }).waitFor({ timeout: 10_000 });
    expect(await good.locator('.values').innerText()).toContain('电流 Current 4.25 A');
    expect(await good.locator('.state').innerText()).toBe('在线 / online');
    expect(await good.locator('.rate').innerText()).toMatch(/^100 %/);
    expect(await good.locator('.latency').innerText()).toMatch(/^\d+(\.\d+)? ms$/);

    expect(await dead.locator('.state').innerText()).toBe('离线 / offline');
    const error = await dead.locator('.error').innerText();
    expect(error).toContain(
      'Modbus 读取超时：检查接线、地址和波特率 / Modbus read timed out: check wiring, unit id and baud rate',
    );
    expect(error).toContain('no answer');
    expect(await dead.locator('.rate').innerText()).toMatch(/^0 %/);

    await page.locator('#uplink', { hasText: '已连接 / connected' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#buffer-dropped').innerText()).toBe('0');
    const shot = join(dir.path, 'status-page.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(5_000);
    if (process.env.EDGE_SCREENSHOT)
      await page.screenshot({ path: process.env.EDGE_SCREENSHOT, fullPage: true });
    await page.close();
  });
});
