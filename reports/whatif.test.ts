import { describe, expect, it } from 'vitest';
import type { Expectation } from '../core/checks/expectations.ts';
import type { SimSummary } from '../simulator/simulate.ts';
import type { SweepRow } from '../simulator/sweep.ts';
import { csvHeader, judge, toCsv, whatifNotes, type WhatifInput } from './whatif.ts';
import { frontierChartOption, frontierHtml } from './whatif-html.ts';

const summary = (cost: number, slo: number, atMax = 0): SimSummary => ({
  sloCoveragePercent: slo, eciPodHours: 1, ecsNodes: 3, costEcs: cost - 1, costEci: 1, costTotal: cost, peakReplicas: 8, atMinReplicasPercent: 0, atMaxReplicasPercent: atMax, directionChanges: 2, slowestReactionSeconds: 60, seconds: 3 * 3600,
});
const expectations: Expectation[] = [{ type: 'sloCoverage', minPercent: 80 }, { type: 'baseline', of: 'ew.replicas', toleranceReplicas: 1, minAgreementPercent: 98 }];
const rows: SweepRow[] = [
  { config: { target: 1200 }, summary: summary(10, 12), expectations: [false, null] },
  { config: { target: 1000 }, summary: summary(12, 95, 4.5), expectations: [true, null] },
  { config: { target: 900 }, summary: summary(13, 95, 4.5), expectations: [true, null] },
  { config: { target: 800 }, summary: summary(15, 99.5), expectations: [true, null] },
];
const input = (minSlo?: number): WhatifInput => ({ scenario: 'smoke', keys: ['target'], rows, expectations, currency: 'CNY', span: 'windows 06:30–08:00 Asia/Shanghai', ...(minSlo !== undefined ? { minSlo } : {}) });

describe('what-if for planners', () => {
  it('judges every configuration against the expectations and --min-slo; a baseline is not judged', () => {
    const j = judge(input(96));
    expect(j.map((r) => [r.config.target, r.passes, r.failed])).toEqual([
      [1200, false, ['expect1_sloCoverage', 'min_slo']],
      [1000, false, ['min_slo']],
      [900, false, ['min_slo']],
      [800, true, []],
    ]);
    // 900 covers as much as 1000 for more money: not on the frontier.
    expect(j.map((r) => r.onFrontier)).toEqual([true, true, false, true]);
    expect(judge(input()).map((r) => r.passes)).toEqual([false, true, true, true]);
  });

  it('writes CSV headers with their units and a verdict per check', () => {
    const csv = toCsv(input(96), judge(input(96))).trim().split('\n');
    expect(csv[0]).toBe('target,passes,slo_coverage_pct,cost_cny,cost_ecs_cny,cost_eci_cny,simulated_h,peak_replicas,at_min_replicas_pct,at_max_replicas_pct,eci_pod_hours,slowest_reaction_s,direction_changes,min_slo,expect1_sloCoverage,expect2_baseline');
    expect(csv[2]).toBe('1000,no,95.00,12.00,11.00,1.00,3.00,8,0.00,4.50,1.00,60,2,fail,pass,n/a');
    expect(csvHeader(input())).not.toContain('min_slo');
  });

  it('names the cheapest passing configuration and says when maxReplicas capped coverage', () => {
    const notes = whatifNotes(input(), judge(input()));
    expect(notes[0]).toBe('3 of 4 configurations pass 1 expectation(s) of the scenario');
    expect(notes[1]).toBe('cheapest passing: target=1000 — 12.00 CNY, SLO coverage 95.00%');
    expect(notes.some((n) => /^1 frontier configuration\(s\) sat at maxReplicas/.test(n))).toBe(true);
    expect(notes.at(-1)).toMatch(/^expect2_baseline: not judged in a sweep/);
    const none = whatifNotes(input(100), judge(input(100)));
    expect(none).toContain('no configuration passes: widen the ranges (e.g. a higher maxReplicas or a lower target) or relax the expectations');
  });

  it('charts cost against coverage: passing and failing points, the frontier, the --min-slo rule', () => {
    const o = frontierChartOption(input(96), judge(input(96))) as { series: { name: string; data: { value: [number, number] }[]; markLine?: { data: { yAxis: number }[] } }[]; xAxis: { name: string } };
    expect(o.series.map((s) => [s.name, s.data.length])).toEqual([['fails', 3], ['passes', 1], ['frontier (cheapest for its coverage)', 3]]);
    expect(o.series[2]!.data.map((d) => d.value)).toEqual([[10, 12], [12, 95], [15, 99.5]]);
    expect(o.series[2]!.markLine!.data).toEqual([{ yAxis: 96 }]);
    expect(o.xAxis.name).toBe('cost (CNY, windows 06:30–08:00 Asia/Shanghai)');
    const html = frontierHtml(input(96), judge(input(96)));
    expect(html).toContain('<table id="frontier">');
    expect(html.length).toBeGreaterThan(500_000); // ECharts is inlined: the page opens without network
  });
});
