import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SweepRow } from '../simulator/sweep.ts';
import { CHROMIUM, checkReportInBrowser } from './browser-check.ts';
import { judge, type WhatifInput } from './whatif.ts';
import { frontierHtml } from './whatif-html.ts';

describe('frontier.html in headless Chromium', () => {
  it('renders the cost vs SLO coverage chart without network or console errors', async () => {
    expect(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium, or set EBBFLOW_CHROMIUM)`).toBe(true);
    // A sweep's shape: coverage rises and cost grows as the target falls; some pass, some do not.
    const rows: SweepRow[] = Array.from({ length: 40 }, (_, i) => {
      const slo = Math.min(100, 40 + i * 1.7);
      const cost = 5 + i * 0.1 + (i % 3) * 0.05;
      return {
        config: { target: 1400 - i * 10, sourceMax: i % 3 },
        summary: { sloCoveragePercent: slo, eciPodHours: i, ecsNodes: 3, costEcs: 4.78, costEci: cost - 4.78, costTotal: cost, peakReplicas: 6 + (i >> 3), atMinReplicasPercent: 0, atMaxReplicasPercent: i > 30 ? 3 : 0, directionChanges: 1, slowestReactionSeconds: 45, seconds: 10_800 },
        expectations: [slo >= 80],
      };
    });
    const w: WhatifInput = { scenario: 'smoke', keys: ['target', 'sourceMax'], rows, expectations: [{ type: 'sloCoverage', minPercent: 80 }], minSlo: 90, currency: 'CNY', span: 'windows 06:30–08:00, 22:30–24:00 Asia/Shanghai' };
    const file = join(mkdtempSync(join(tmpdir(), 'ebf-frontier-')), 'frontier.html');
    writeFileSync(file, frontierHtml(w, judge(w)));
    const r = await checkReportInBrowser(file);
    expect(r.charts).toBe('1');
    expect(r.ink[0]).toBeGreaterThan(1000);
    expect(r.screenshotBytes).toBeGreaterThan(20_000);
    expect(r.errors).toEqual([]);
  });
});
