import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Timeline } from '../core/timeline/format.ts';
import { DEFAULT_PRICES, eciPodPricePerSecond, periodLabel } from '../core/prices.ts';
import { EXACT_SETTINGS, type RunBasis } from '../core/checks/measures.ts';
import { chartSpecs } from './charts.ts';
import { diffMarkdown, directionChanges, policyDiff, runFigures } from './diff.ts';
import { sampleTimeline } from './fixtures.ts';
import { toHtml, toMarkdown, writeReports } from './index.ts';

/** The fixture with ECI pods pending longer, one more peak replica, lost coverage and a flap. */
function worse(tl: Timeline): Timeline {
  const samples = tl.samples.map((s, i) => ({
    ...s,
    ew: { ...s.ew, replicas: s.ew.replicas + (i === 60 ? 1 : 0) },
    pods: { ...s.pods, eci: { ...s.pods.eci, pending: s.pods.eci.pending + 2 }, ecs: { ...s.pods.ecs, ready: i >= 111 ? 0 : s.pods.ecs.ready } },
  }));
  const t = tl.samples[50]!.t;
  const events = [...tl.events, { kind: 'event' as const, t, type: 'hpa.rescale' as const, from: 5, to: 4 }, { kind: 'event' as const, t: t + 1, type: 'hpa.rescale' as const, from: 4, to: 5 }].sort((a, b) => a.t - b.t);
  return { ...tl, samples, events };
}

const pod = { vcpu: 0.5, memoryGiB: 0.5 };
const basis: RunBasis = { settings: EXACT_SETTINGS, cost: { prices: DEFAULT_PRICES, pod, ecsPools: [{ name: 'ecs', instanceType: 'ecs.g7.xlarge', count: 2, vcpu: 4, memoryGiB: 16 }] } };

describe('policy diff', () => {
  it('a run against itself changes nothing', () => {
    const tl = sampleTimeline();
    const rows = policyDiff(tl, tl, { basis });
    // The fixture is one window: its observed time runs from the first sample to the last.
    const period = periodLabel((tl.samples.at(-1)!.t - tl.samples[0]!.t) / 1000);
    expect(rows.map((r) => r.figure)).toEqual(['peak replicas', 'ECS / ECI pods at peak', 'ECI pod-hours', `ECS cost (CNY/${period})`, `ECI cost (CNY/${period})`, `total cost (CNY/${period})`, 'SLO coverage', 'slowest reaction', 'direction changes']);
    expect(rows.every((r) => r.change === '—' && r.before === r.after)).toBe(true);
  });

  it('shows each figure before and after, and marks better and worse', () => {
    const base = sampleTimeline();
    const cur = worse(base);
    const a = runFigures(base, { basis });
    const b = runFigures(cur, { basis });
    expect(b.peakReplicas).toBe(a.peakReplicas + 1);
    expect(b.eciPodHours).toBeGreaterThan(a.eciPodHours);
    expect(b.eciCost).toBeCloseTo(b.eciPodHours * 3600 * eciPodPricePerSecond(DEFAULT_PRICES, pod), 10);
    expect(b.totalCost).toBeCloseTo(b.ecsCost + b.eciCost, 10);
    expect(b.currency).toBe('CNY');
    expect(b.sloCoveragePercent).toBeLessThan(a.sloCoveragePercent);
    expect(directionChanges(cur)).toBe(directionChanges(base) + 2);
    const rows = Object.fromEntries(policyDiff(base, cur, { basis }).map((r) => [r.figure, r]));
    expect(rows['peak replicas']).toMatchObject({ before: String(a.peakReplicas), after: String(a.peakReplicas + 1), change: '+1' });
    expect(rows['peak replicas']!.verdict).toBeUndefined();
    expect(rows['ECI pod-hours']!.verdict).toBe(1);
    expect(rows['SLO coverage']).toMatchObject({ verdict: 1, before: `${a.sloCoveragePercent.toFixed(1)}%` });
    expect(rows['direction changes']).toMatchObject({ change: '+2', verdict: 1 });
    // The other way round everything that got worse is better.
    const back = Object.fromEntries(policyDiff(cur, base, { basis }).map((r) => [r.figure, r]));
    expect(back['ECI pod-hours']!.verdict).toBe(-1);
    expect(back['direction changes']).toMatchObject({ change: '−2', verdict: -1 });
  });

  it('leaves the cost rows out without a cost basis, and says "no rise" when nothing rose', () => {
    const tl = sampleTimeline();
    const flat: Timeline = { ...tl, samples: tl.samples.map((s) => ({ ...s, needed: 1, hpa: { desired: 1, current: 1 } })) };
    const rows = policyDiff(flat, tl);
    expect(rows.some((r) => r.figure.includes('cost'))).toBe(false);
    expect(rows.find((r) => r.figure === 'slowest reaction')).toMatchObject({ before: 'no rise', change: '—' });
  });

  it('counts replicas of a workload scaled directly (no ElasticWorkload: ew.replicas 0 in older timelines)', () => {
    const tl = sampleTimeline();
    const direct: Timeline = { ...tl, samples: tl.samples.map((s) => ({ ...s, ew: { replicas: 0, source: 0, units: {} } })) };
    expect(runFigures(direct).peakReplicas).toBe(runFigures(tl).peakReplicas);
  });

  it('renders a Markdown table ready for a PR comment', () => {
    const base = sampleTimeline();
    const lines = diffMarkdown(policyDiff(base, worse(base), { basis }), { before: 'main', after: 'this PR' });
    expect(lines[0]).toBe('| | main | this PR | change |');
    expect(lines).toContain(`| direction changes | ${directionChanges(base)} | ${directionChanges(base) + 2} | +2 🔴 |`);
  });
});

describe('reports with a baseline', () => {
  it('summary.md carries the before/after table; the HTML overlays the baseline dashed', () => {
    const base = sampleTimeline();
    const cur = worse(base);
    const md = toMarkdown(cur, [], { baseline: base, basis });
    expect(md).toContain('**Before / after**');
    expect(md).toMatch(/\| ECI cost \(CNY\/[^)]+\) \|/);
    expect(toMarkdown(cur, [])).not.toContain('Before / after');
    const html = toHtml(cur, [], { baseline: base, basis });
    expect(html).toContain('<table id="baseline-diff">');
    const specs = chartSpecs(cur, undefined, base);
    const overlay = specs['c-curve'].series.find((s) => s.name === 'baseline desired')!;
    expect(overlay.baseline).toBe(true);
    expect(overlay.points).toEqual(base.samples.map((s) => [s.t, s.hpa.desired]));
    expect(chartSpecs(cur)['c-curve'].series.some((s) => s.baseline)).toBe(false);
  });

  it('results.json holds the diff rows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ebf-diff-'));
    try {
      const base = sampleTimeline();
      const files = writeReports(dir, worse(base), [], { baseline: base, basis });
      const r = JSON.parse(readFileSync(files.results, 'utf8')) as { baselineDiff: { figure: string }[]; figures: { sloCoveragePercent: number; cost: { currency: string; periodSeconds: number; total: number } } };
      expect(r.baselineDiff.map((x) => x.figure)).toContain('SLO coverage');
      const f = runFigures(worse(base), { basis });
      expect(r.figures.sloCoveragePercent).toBeCloseTo(f.sloCoveragePercent, 9);
      expect(r.figures.cost).toMatchObject({ currency: 'CNY', periodSeconds: f.periodSeconds });
      expect(r.figures.cost.total).toBeCloseTo(f.totalCost, 9);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
