import { describe, expect, it } from 'vitest';
import type { Timeline, TimelineSample } from '../core/timeline/format.ts';
import { EXACT_SETTINGS } from '../core/checks/measures.ts';
import { twoWindowTimeline } from './fixtures.ts';
import { pipelineRows, pipelinesChartOption, pipelinesHtml, pipelinesMarkdown, replicasSeries, type PipelineRun } from './pipelines.ts';

const T0 = 1_767_600_000_000;
/** A step from 1000 to 5000 devices at 300 s (sampled every 15 s); the metric `lag` s late; replicas follow the metric, at most `cap`. */
function timeline(lag: number, cap = 12): Timeline {
  const curve = (s: number) => (s < 300 ? 1000 : 5000);
  const samples: TimelineSample[] = Array.from({ length: 80 }, (_, i) => {
    const s = i * 15;
    const metric = s >= lag ? curve(s - lag) : 1000;
    const replicas = Math.min(cap, Math.ceil(metric / 1000));
    return { kind: 'sample', t: T0 + s * 1000, devices: curve(s), metric, needed: Math.ceil(curve(s) / 1000), hpa: { desired: replicas, current: replicas }, ew: { replicas, source: Math.min(2, replicas), units: { eci: Math.max(0, replicas - 2) } }, pods: { ecs: { ready: Math.min(2, replicas), pending: 0, failed: 0 }, eci: { ready: Math.max(0, replicas - 2), pending: 0, failed: 0 } } };
  });
  return { meta: { kind: 'meta', version: 1, source: 'cluster', scenario: 't', start: T0, end: T0 + 1200_000, compression: 60, constants: {}, devicesPerReplica: 1000, sourceMax: 2, notes: [] }, samples, events: [] };
}
const run = (name: string, tl: Timeline, passed = true): PipelineRun => ({ name, path: `${name} → HPA`, timeline: tl, basis: { settings: EXACT_SETTINGS }, results: [{ name: 'sloCoverage(≥ 80%)', passed, message: passed ? 'ok' : 'too low' } as never] });

describe('the pipelines page', () => {
  const runs = [run('adapter', timeline(45)), run('keda-prometheus', timeline(60)), run('keda-sls', timeline(15, 4), false)];

  it('measures each pipeline: metric lag, slowest reaction, peak replicas, coverage, verdict', () => {
    const [head, ...rows] = pipelineRows(runs);
    expect(head).toEqual(['pipeline', 'path', 'metric lag', 'slowest reaction', 'peak replicas', 'SLO coverage', 'expectations']);
    expect(rows.map((r) => r[2])).toEqual(['45 s', '60 s', '15 s']);
    expect(rows.map((r) => r[3])).toEqual(['45 s', '60 s', '885 s (never reached)']);
    expect(rows.map((r) => r[4])).toEqual(['5', '5', '4']);
    // Ready pods trail the need as long as the metric does: 3 of 80 samples short at 45 s, 4 at 60 s; capped at 4, all 60 after the step.
    expect(rows.map((r) => r[5])).toEqual(['96.3 %', '95.0 %', '25.0 %']);
    expect(rows.map((r) => r[6])).toEqual(['all pass', 'all pass', 'FAIL: sloCoverage(≥ 80%)']);
  });

  it('a run without a metric says so rather than a lag of 0', () => {
    const tl = timeline(0);
    for (const s of tl.samples) s.metric = null;
    expect(pipelineRows([run('x', tl)])[1]![2]).toBe('no metric');
  });

  it('writes the table to markdown and the page, with one line per pipeline in the chart', () => {
    const md = pipelinesMarkdown(runs, { scenario: 's.yaml', how: 'simulated' });
    expect(md.split('\n').filter((l) => l.startsWith('| '))).toHaveLength(4);
    expect(md).toContain('| keda-sls | keda-sls → HPA | 15 s |');
    const option = pipelinesChartOption(runs) as { series: { name: string; data: unknown[] }[] };
    expect(option.series.map((s) => s.name)).toEqual(['adapter', 'keda-prometheus', 'keda-sls']);
    const html = pipelinesHtml(runs, { scenario: 's.yaml', how: 'simulated' });
    expect(html).toContain('<td>keda-prometheus</td>');
    expect(html).not.toMatch(/<script[^>]+src=/);
  });

  it('beside a replay, puts the simulated pipelines in a second table', () => {
    const sim = [run('adapter', timeline(30)), run('keda-prometheus', timeline(30)), run('keda-sls', timeline(0))];
    const md = pipelinesMarkdown(runs, { scenario: 's.yaml', how: 'replayed', simulated: sim });
    const after = md.slice(md.indexOf('The same pipelines in the simulator'));
    expect(after).toContain('| keda-sls | keda-sls → HPA | 0 s |');
    expect(after.split('\n').filter((l) => l.startsWith('|---'))).toHaveLength(1);
    expect(pipelinesMarkdown(runs, { scenario: 's.yaml', how: 'simulated' })).not.toContain('in the simulator');
    expect(pipelinesHtml(runs, { scenario: 's.yaml', how: 'replayed', simulated: sim })).toContain('<table id="simulated">');
  });

  it('plots observed time: windows back to back with a break between them', () => {
    const tl = twoWindowTimeline(true);
    const pts = replicasSeries(tl);
    const gap = pts.indexOf(null);
    expect(gap).toBeGreaterThan(0);
    expect(pts.filter((p) => p === null)).toHaveLength(1);
    const before = pts[gap - 1]!;
    const after = pts[gap + 1]!;
    // The 12 skipped hours are not on the axis: the second window starts where the first ended.
    expect(after[0]).toBeCloseTo(before[0], 6);
    expect(pts.at(-1)![0]).toBeLessThan(3 * 60);
  });
});
