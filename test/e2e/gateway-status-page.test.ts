import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/index.js';
import { DEMO_SITE_FILE } from '../../site/index.js';
import { VillageStack } from '../../stack/index.js';
import { waitFor } from '../../runtime/index.js';

const NAMED = 'maker-hall-power';
const STRANGER = 'stranger-meter';

interface Status {
  platform?: { rejections: Array<{ code: string; device?: string }> };
}

/**
 * The gateway's status page on the running stack, in headless Chromium: device names
 * from the site, field labels, an overvoltage from the simulator in colour, version,
 * uptime in words and clock, and what the platform refused: a meter the technician
 * added to the gateway but not to the platform is dead-lettered DEVICE_UNKNOWN by
 * ingest, and the page says so beside that meter instead of showing it green.
 */
describe('gateway status page on the running stack', () => {
  let dir: string;
  let stack: VillageStack;
  let browser: BrowserContext;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'status-page-e2e-'));
    const siteFile = join(dir, 'village.yaml');
    copyFileSync(DEMO_SITE_FILE, siteFile);
    stack = new VillageStack({ dataDir: join(dir, 'stack'), siteFile });
    await stack.start();
    const bus = stack.site.buses.findIndex((b) => b.id === 'bus-maker-workspace');
    // The same simulated meter again, on a second connection, under an id the platform does not know.
    const added = await runCli(
      'add',
      '--config',
      join(stack.dataDir, 'edge', 'gateway.yaml'),
      '--bus',
      'bus-extra',
      '--tcp',
      `127.0.0.1:${stack.ports.busBase + bus}`,
      '--id',
      STRANGER,
      '--profile',
      'chint-dtsu666',
      '--unit',
      '1',
      '--poll',
      '2',
    );
    expect(added.code, added.out).toBe(0);
    expect(added.out).toContain('not enrolled with the platform');
    await stack.service('edge').stop();
    await stack.service('edge').start();
    const fault = await stack.simControl('/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'overvoltage', target: NAMED }),
    });
    expect(fault.status).toBeLessThan(300);
    browser = await chromium.launchPersistentContext(join(dir, 'chromium'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('shows names, labels, an abnormal voltage in colour, clock, version and what the platform refused', async () => {
    const statusUrl = `http://127.0.0.1:${stack.ports.edgeHttp}/api/status`;
    await waitFor(
      'ingest to refuse the stranger meter, and the gateway to hear of it',
      async () => {
        const status = (await (await fetch(statusUrl)).json()) as Status;
        return status.platform?.rejections.some((r) => r.device === STRANGER && r.code === 'DEVICE_UNKNOWN');
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(`http://127.0.0.1:${stack.ports.edgeHttp}/`);

    const named = page.locator(`tr[data-device="${NAMED}"]`);
    await named.locator('.name', { hasText: '创客楼总电表' }).waitFor({ timeout: 15_000 });
    expect(await named.innerText()).toContain('CHINT 正泰 DTSU666');
    const voltage = named.locator('.values span[data-field="voltage_l1_v"]');
    await voltage.and(page.locator('.abnormal')).waitFor({ timeout: 30_000 });
    expect(await voltage.innerText()).toMatch(/^A 相电压 Voltage L1 2[4-9]\d(\.\d+)? V$/);
    expect(await voltage.getAttribute('title')).toBe('正常范围 normal 198–235.4 (GB/T 12325-2008)');
    const frequency = named.locator('.values span[data-field="frequency_hz"]');
    expect(await frequency.getAttribute('class')).not.toBe('abnormal');

    const stranger = page.locator(`tr[data-device="${STRANGER}"]`);
    await stranger.locator('.refused', { hasText: 'DEVICE_UNKNOWN' }).waitFor({ timeout: 15_000 });
    expect(await stranger.locator('.refused').first().innerText()).toBe(
      '平台拒收 refused: DEVICE_UNKNOWN 未登记的设备 / Device is not registered for this site',
    );
    expect(await page.locator('#rejections').innerText()).toMatch(
      /DEVICE_UNKNOWN 未登记的设备[\s\S]*stranger-meter/,
    );

    expect(await page.locator('#version').innerText()).toMatch(/^\d+\.\d+\.\d+/);
    expect(await page.locator('#uptime').innerText()).toMatch(/^\d+ (秒|分|小时|天)/);
    const clock = await page.locator('#clock').innerText();
    expect(clock).toMatch(/^NTP (已同步|未同步|状态未知)/);
    expect(clock).toMatch(/与平台相差 offset -?\d+\.\d s$/);
    const shot = join(dir, 'status-page.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    if (process.env.EDGE_SCREENSHOT)
      await page.screenshot({ path: process.env.EDGE_SCREENSHOT, fullPage: true });
    await page.close();
  }, 120_000);
});
