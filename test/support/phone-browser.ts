import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { projectFile } from '../../runtime/index.js';

/** Where tests keep screenshots for people to look at; git-ignored, never committed. */
export const ARTIFACTS_DIR = projectFile('test-artifacts');

/**
 * Headless Chromium (the system's /usr/bin/chromium) with a phone's viewport, touch
 * and a Chinese locale: how an operator opens the page from WeCom at 3 a.m.
 */
export class PhoneBrowser {
  private browser: Browser | undefined;

  async start(): Promise<void> {
    this.browser = await chromium.launch({
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
  }

  /** A fresh phone (no cookies): 390×844 CSS pixels, 2× density, touch, zh-CN. */
  async phone(): Promise<BrowserContext> {
    if (!this.browser) throw new Error('browser not started');
    return this.browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      userAgent:
        'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 wxwork/4.1',
    });
  }

  /** The path of a screenshot named `name` in `suite`'s artefact folder (created). */
  screenshotPath(suite: string, name: string): string {
    const dir = join(ARTIFACTS_DIR, suite);
    mkdirSync(dir, { recursive: true });
    return join(dir, `${name}.png`);
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    this.browser = undefined;
  }
}
