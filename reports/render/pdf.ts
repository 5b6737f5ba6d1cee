import { existsSync } from 'node:fs';

/** Where Debian's Chromium is; `REPORTS_CHROMIUM` points elsewhere. */
export const CHROMIUM_PATH = process.env.REPORTS_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Prints the HTML page to an A4 PDF in headless Chromium. The page has no scripts or
 * external assets, and the browser is offline: nothing it could fetch is reachable.
 */
export async function renderPdf(html: string, executablePath = CHROMIUM_PATH): Promise<Buffer> {
  // loaded on first use: XLSX, CSV and HTML need no browser
  const { chromium } = await import('playwright-core');
  if (!existsSync(executablePath)) {
    throw new Error(
      `PDF 需要 Chromium / PDF needs Chromium at ${executablePath} (apt-get install chromium, or set REPORTS_CHROMIUM)`,
    );
  }
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate:
        '<div style="font-size:7pt;width:100%;text-align:center;color:#666"><span class="pageNumber"></span> / <span class="totalPages"></span></div>',
      margin: { top: '14mm', bottom: '16mm', left: '12mm', right: '12mm' },
    });
  } finally {
    await browser.close();
  }
}
