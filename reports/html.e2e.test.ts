import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offByOneSim, twoWindowTimeline } from './fixtures.ts';
import { writeReports } from './index.ts';
import { CHROMIUM, checkReportInBrowser } from './browser-check.ts';

describe('HTML report in headless Chromium', () => {
  it('renders every chart, two window panels with the simulator overlay, without console errors', async () => {
    expect(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set EBBFLOW_CHROMIUM)`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'ebf-html-'));
    const tl = twoWindowTimeline(true);
    const files = writeReports(dir, tl, [{ name: 'sloCoverage(≥ 90%)', passed: true, message: 'ok' }], { sim: offByOneSim(tl) });
    const r = await checkReportInBrowser(files.html);
    expect(r.charts).toBe('5');
    // Each chart drew something: its canvas is not blank.
    expect(r.ink.every((n) => n > 1000)).toBe(true);
    expect(r.screenshotBytes).toBeGreaterThan(50_000);
    expect(r.errors).toEqual([]);
  });
});
