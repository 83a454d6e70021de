import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { sampleTimeline } from './fixtures.ts';
import { writeReports } from './index.ts';

const CHROMIUM = process.env.EBBFLOW_CHROMIUM ?? '/usr/bin/chromium';

describe('HTML report in headless Chromium', () => {
  it('renders every chart without console errors', async () => {
    expect(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set EBBFLOW_CHROMIUM)`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'ebf-html-'));
    const files = writeReports(dir, sampleTimeline(), [{ name: 'sloCoverage(≥ 90%)', passed: true, message: 'ok' }]);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(files.html).href);
      // Page code as strings: this project is type-checked without the DOM library.
      await page.waitForFunction('document.body.dataset.chartsRendered !== undefined');
      expect(await page.evaluate('document.body.dataset.chartsRendered')).toBe('5');
      // Each chart drew something: its canvas is not blank.
      const inked = (await page.evaluate(`[...document.querySelectorAll('.chart canvas')].map((cv) => {
        const px = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
        let n = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
        return n;
      })`)) as number[];
      expect(inked.every((n) => n > 1000)).toBe(true);
      const shot = await page.screenshot({ fullPage: true });
      expect(shot.length).toBeGreaterThan(50_000);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
