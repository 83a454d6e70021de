import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'xmlbuilder2';
import type { CheckResult } from '../harness/assert/expectations.ts';
import { parseTimeline } from '../harness/timeline/io.ts';
import { chartData } from './html.ts';
import { sampleTimeline } from './fixtures.ts';
import { toJUnit, toMarkdown, writeReports } from './index.ts';

const results: CheckResult[] = [
  { name: 'sloCoverage(≥ 95%)', passed: true, message: 'covered 97.0%' },
  { name: 'scaleDownOrder', passed: false, message: 'source pod <nginx-1> was deleted while unit pods still existed', at: 5 },
];

describe('reports', () => {
  it('JUnit names the failing expectation and escapes its message', () => {
    const xml = toJUnit('smoke', results, 12.5);
    const doc = create(xml).end({ format: 'object' }) as unknown as { testsuites: { testsuite: { '@failures': string; testcase: { '@name': string; failure?: { '@message': string } }[] } } };
    const suite = doc.testsuites.testsuite;
    expect(suite['@failures']).toBe('1');
    const failing = suite.testcase.find((c) => c.failure);
    expect(failing?.['@name']).toBe('scaleDownOrder');
    expect(failing?.failure?.['@message']).toContain('nginx-1');
    expect(xml).toContain('&lt;nginx-1&gt;');
  });

  it('markdown summarises the verdict and each expectation', () => {
    const md = toMarkdown(sampleTimeline(), results, { wallSeconds: 180, warnings: ['w1'] });
    expect(md).toMatch(/❌ 1 of 2 expectations failed/);
    expect(md).toMatch(/\| ❌ \| scaleDownOrder \|/);
    expect(md).toMatch(/k=20/);
    expect(md).toMatch(/- w1/);
  });

  it('chart data follows the timeline', () => {
    const tl = sampleTimeline();
    const d = chartData(tl);
    expect(d.desired).toHaveLength(tl.samples.length);
    expect(d.rescales.length).toBe(tl.events.filter((e) => e.type === 'hpa.rescale').length);
    expect(d.units.at(-1)?.[1]).toBe(0);
    expect(Math.max(...d.units.map((u) => Number(u[1])))).toBe(3);
    expect(d.eciHours.at(-1)![1]).toBeGreaterThan(0);
  });

  it('writes all files; the HTML is self-contained and the timeline reads back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ebf-rep-'));
    const files = writeReports(dir, sampleTimeline(), results, { wallSeconds: 10 });
    const html = readFileSync(files.html, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).toContain('fixture &lt;ramp&gt;');
    expect(html.length).toBeGreaterThan(500_000); // ECharts is inlined
    expect(parseTimeline(readFileSync(files.timeline, 'utf8')).samples).toHaveLength(121);
    expect(JSON.parse(readFileSync(files.results, 'utf8')).passed).toBe(false);
  });
});
