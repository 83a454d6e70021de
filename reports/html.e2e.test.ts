import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleTimeline } from './fixtures.ts';
import { writeReports } from './index.ts';
import { CHROMIUM, checkReportInBrowser } from './browser-check.ts';

describe('HTML report in headless Chromium', () => {
  it('renders every chart without console errors', async () => {
    expect(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set EBBFLOW_CHROMIUM)`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'ebf-html-'));
    const files = writeReports(dir, sampleTimeline(), [{ name: 'sloCoverage(≥ 90%)', passed: true, message: 'ok' }]);
    const r = await checkReportInBrowser(files.html);
    expect(r.charts).toBe('5');
    // Each chart drew something: its canvas is not blank.
    expect(r.ink.every((n) => n > 1000)).toBe(true);
    expect(r.screenshotBytes).toBeGreaterThan(50_000);
    expect(r.errors).toEqual([]);
  });
});
