import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumPath } from './chromium.ts';

export const CHROMIUM = chromiumPath();

/** Opens a report in headless Chromium: charts rendered, ink per chart canvas, screenshot size, console errors. */
export async function checkReportInBrowser(htmlFile: string): Promise<{ charts: string | undefined; ink: number[]; screenshotBytes: number; errors: string[] }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(htmlFile).href);
    // Page code as strings: this project is type-checked without the DOM library.
    await page.waitForFunction('document.body.dataset.chartsRendered !== undefined');
    const charts = (await page.evaluate('document.body.dataset.chartsRendered')) as string | undefined;
    const ink = (await page.evaluate(`[...document.querySelectorAll('.chart canvas')].map((cv) => {
      const px = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
      return n;
    })`)) as number[];
    const shot = await page.screenshot({ fullPage: true });
    return { charts, ink, screenshotBytes: shot.length, errors };
  } finally {
    await browser.close();
  }
}
