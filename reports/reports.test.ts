import { describe, expect, it } from 'vitest';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'xmlbuilder2';
import type { CheckResult } from '../core/checks/expectations.ts';
import { parseTimeline } from '../core/timeline/io.ts';
import { chartData } from './html.ts';
import { offByOneSim, sampleTimeline, twoWindowTimeline } from './fixtures.ts';
import { describeAgreement, simAgreement } from './agreement.ts';
import { toJUnit, toMarkdown, writeReports } from './index.ts';
import { toHtml } from './html.ts';
import { formatClock } from '../core/time-zone.ts';

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
    expect(md).toMatch(/ in 180 s wall\./);
    expect(toMarkdown(sampleTimeline(), results, { wallSeconds: 0.0297 })).toMatch(/ in 30 ms wall\./);
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

  it("shows times on the scenario zone's clock, the zone named", () => {
    const utc = twoWindowTimeline(true);
    const tl = { ...utc, meta: { ...utc.meta, timeZone: 'Asia/Shanghai' } };
    // The fixture's windows are 07:00–08:00 and 20:00–21:00 UTC: 15:00 and 04:00 (+1 day) in Shanghai.
    expect(toMarkdown(tl, results)).toMatch(/windows 15:00–16:00, 04:00–05:00 Asia\/Shanghai virtual/);
    const html = toHtml(tl, results);
    expect(html).toContain('<th>time (Asia/Shanghai)</th>');
    const rescale = tl.events.find((e) => e.type === 'hpa.rescale')!;
    expect(html).toContain(`<td>${formatClock(rescale.t, 'Asia/Shanghai', true)}</td>`);
    expect(formatClock(rescale.t, 'Asia/Shanghai', true)).not.toBe(formatClock(rescale.t, 'UTC', true));
  });

  it('markdown lists the replayed windows', () => {
    expect(toMarkdown(twoWindowTimeline(true), results)).toMatch(/windows 07:00–08:00, 20:00–21:00 UTC virtual \(back to back, gaps skipped\)/);
    expect(toMarkdown(sampleTimeline(), results)).toMatch(/: 07:00–09:00 UTC virtual\./);
  });

  it('agreement with the simulator: equal and within ±1, aligned on the start', () => {
    const tl = sampleTimeline();
    const [ew, desired] = simAgreement(tl, offByOneSim(tl));
    expect(ew).toMatchObject({ of: 'ew.replicas', samples: 121, worstDiff: 1 });
    expect(ew!.equalPercent).toBeCloseTo((100 * 61) / 121, 6);
    expect(ew!.within1Percent).toBe(100);
    expect(desired!.of).toBe('hpa.desired');
    const later = offByOneSim(tl);
    const moved = { ...later, meta: { ...later.meta, start: later.meta.start + 86_400_000 }, samples: later.samples.map((s) => ({ ...s, t: s.t + 86_400_000 })) };
    expect(simAgreement(tl, moved)[0]!.equalPercent).toBeCloseTo(ew!.equalPercent, 6);
    expect(describeAgreement(ew!)).toBe('ew.replicas: equal in 50.4%, within ±1 in 100.0% of 121 samples (worst difference 1 at 07:01:00 UTC)');
    expect(describeAgreement({ ...ew!, samples: 0 })).toBe('ew.replicas: no samples to compare');
  });

  it('with the simulator: the summary, the page and results.json carry the agreement; its timeline is written', () => {
    const tl = twoWindowTimeline(true);
    const dir = mkdtempSync(join(tmpdir(), 'ebf-rep-sim-'));
    const files = writeReports(dir, tl, results, { sim: offByOneSim(tl) });
    expect(readFileSync(files.markdown, 'utf8')).toMatch(/Simulator agreement \(same scenario, aligned on the start\): ew\.replicas: equal in 50\.4%, within ±1 in 100\.0%/);
    const html = readFileSync(files.html, 'utf8');
    expect(html).toMatch(/<ul id="sim-agreement"><li>ew\.replicas: equal in 50\.4%/);
    expect(html).toContain('"name":"sim desired"');
    expect(JSON.parse(readFileSync(files.results, 'utf8')).simAgreement[0].within1Percent).toBe(100);
    expect(parseTimeline(readFileSync(files.simTimeline!, 'utf8')).meta.source).toBe('simulator');
    const plain = writeReports(mkdtempSync(join(tmpdir(), 'ebf-rep-')), tl, results);
    expect(plain.simTimeline).toBeUndefined();
    expect(readFileSync(plain.markdown, 'utf8')).not.toContain('Simulator agreement');
    expect(readFileSync(plain.markdown, 'utf8')).not.toContain('read late');
  });

  it('says how many samples the recorder read late', () => {
    const tl = twoWindowTimeline(true);
    tl.samples[3] = { ...tl.samples[3]!, lateSeconds: 4.5 };
    tl.samples[7] = { ...tl.samples[7]!, lateSeconds: 12 };
    const files = writeReports(mkdtempSync(join(tmpdir(), 'ebf-rep-late-')), tl, results);
    expect(readFileSync(files.markdown, 'utf8')).toContain(`2 of ${tl.samples.length} samples were read late (up to 12.0 virtual s after their time)`);
  });

  it('replaces symlinks in the output directory instead of writing through them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ebf-rep-link-'));
    const victim = join(dir, 'notes.txt');
    writeFileSync(victim, 'a user file\n');
    mkdirSync(join(dir, 'out'));
    for (const f of ['report.html', 'summary.md', 'junit.xml', 'timeline.jsonl', 'results.json']) symlinkSync(victim, join(dir, 'out', f));
    const files = writeReports(join(dir, 'out'), sampleTimeline(), results);
    expect(readFileSync(victim, 'utf8')).toBe('a user file\n');
    for (const f of [files.html, files.markdown, files.junit, files.timeline, files.results]) expect(lstatSync(f).isFile()).toBe(true);
    expect(readFileSync(files.html, 'utf8')).toContain('fixture &lt;ramp&gt;');
  });
});

describe('cost per tier in the reports', () => {
  it('summary.md, the page and results.json carry the money of each tier in the kind\'s words, summing to the total', async () => {
    const { DEFAULT_PRICES } = await import('../core/prices.ts');
    const { timelineTiers } = await import('../core/checks/tiers.ts');
    const { EXACT_SETTINGS } = await import('../core/checks/measures.ts');
    const tl = sampleTimeline();
    const basis = { settings: EXACT_SETTINGS, cost: { prices: DEFAULT_PRICES, pod: { vcpu: 0.5, memoryGiB: 0.5 }, ecsPools: [{ name: 'ecs', instanceType: 'ecs.g7.xlarge', count: 3, vcpu: 4, memoryGiB: 16 }] }, tiers: timelineTiers({ cheapest: 'ECS subset', overflow: 'ECI subset' }) };
    const dir = mkdtempSync(join(tmpdir(), 'ebf-tiercost-'));
    const files = writeReports(dir, tl, [], { basis });
    const results = JSON.parse(readFileSync(files.results, 'utf8')) as { figures: { cost: { total: number; perTier: { name: string; amount: number }[] } } };
    const { perTier, total } = results.figures.cost;
    expect(perTier.map((t) => t.name)).toEqual(['ECS subset', 'ECI subset']);
    expect(perTier[0]!.amount + perTier[1]!.amount).toBeCloseTo(total, 9);
    const line = `per tier: ECS subset ${perTier[0]!.amount.toFixed(2)}, ECI subset ${perTier[1]!.amount.toFixed(2)}`;
    expect(readFileSync(files.markdown, 'utf8')).toContain(line);
    expect(readFileSync(files.html, 'utf8')).toContain(line);
    (await import('node:fs')).rmSync(dir, { recursive: true, force: true });
  });
});
