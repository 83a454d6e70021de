import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { manifestsSource } from '../manifests/files.ts';
import { loadScenario } from '../scenarios/index.ts';
import { loadSystemManifests, runBasis, simulate, systemFromScenario } from '../simulator/index.ts';
import { toHtml } from './html.ts';
import { costOf, measure } from '../core/checks/measures.ts';
import { DEFAULT_PRICES } from '../core/prices.ts';
import { axisMaxima, chartOptions, chartSpecs, niceCeil, panelLayout, CHART_IDS } from './charts.ts';
import { offByOneSim, sampleTimeline, twoWindowTimeline } from './fixtures.ts';

type Opt = {
  grid: unknown[];
  title: { text: string }[];
  legend: { data: string[] };
  xAxis: { min: number; max: number; axisLabel: { hideOverlap: boolean } }[];
  yAxis: { max: number; name: string }[];
  series: { name: string; type: string; xAxisIndex: number; yAxisIndex: number; data: ([number, unknown] | { value: [number, number] })[]; labelLayout?: { hideOverlap: boolean } }[];
};
const options = (...a: Parameters<typeof chartOptions>) => chartOptions(...a) as unknown as Record<string, Opt>;
const time = (p: [number, unknown] | { value: [number, number] }) => (Array.isArray(p) ? p[0] : p.value[0]);

describe('chart options', () => {
  it('draws one panel per replay window, titled with the window', () => {
    for (const o of Object.values(options(twoWindowTimeline(true)))) {
      expect(o.grid).toHaveLength(2);
      expect(o.xAxis).toHaveLength(2);
      expect(o.title.map((t) => t.text)).toEqual(['07:00–08:00 UTC', '20:00–21:00 UTC']);
    }
    expect(options(sampleTimeline())['c-curve']!.grid).toHaveLength(1);
  });

  it("draws times on the clock of the timeline's zone and names it", () => {
    const utc = twoWindowTimeline(true);
    const tl = { ...utc, meta: { ...utc.meta, timeZone: 'Asia/Shanghai' } };
    const [o, u] = [options(tl)['c-curve']!, options(utc)['c-curve']!];
    expect(o.title.map((t) => t.text)).toEqual(['15:00–16:00 Asia/Shanghai', '04:00–05:00 Asia/Shanghai']);
    // Every time moved by +8 h, so ECharts' UTC formatting reads the Shanghai clock.
    expect(o.xAxis.map((x) => x.min - 8 * 3_600_000)).toEqual(u.xAxis.map((x) => x.min));
    expect(time(o.series[0]!.data[0]!) - time(u.series[0]!.data[0]!)).toBe(8 * 3_600_000);
  });

  it('never puts points of two windows in one series, and drops none', () => {
    const tl = twoWindowTimeline();
    for (const id of CHART_IDS) {
      const o = options(tl)[id]!;
      // Panels are in time order and do not overlap: a series confined to one panel cannot span a gap.
      o.xAxis.slice(1).forEach((x, i) => expect(x.min).toBeGreaterThan(o.xAxis[i]!.max));
      for (const s of o.series) {
        const x = o.xAxis[s.xAxisIndex]!;
        for (const p of s.data) expect(time(p) >= x.min && time(p) <= x.max, `${id} ${s.name} point outside its panel`).toBe(true);
        expect(Math.floor(s.yAxisIndex / (o.yAxis.length / o.grid.length))).toBe(s.xAxisIndex);
      }
    }
    const desired = options(tl)['c-curve']!.series.filter((s) => s.name === 'desired');
    expect(desired.map((s) => s.data.length)).toEqual([61, 60]);
  });

  it('keeps labels apart: axis and rescale labels hide on overlap, only the outer panels name their axes', () => {
    const o = options(twoWindowTimeline())['c-curve']!;
    expect(o.xAxis.every((x) => x.axisLabel.hideOverlap)).toBe(true);
    const markers = o.series.filter((s) => s.type === 'scatter');
    expect(markers).toHaveLength(2);
    expect(markers.every((m) => m.labelLayout?.hideOverlap)).toBe(true);
    expect(o.yAxis.map((y) => y.name)).toEqual(['replicas', '', '', 'devices']);
    expect(new Set(o.legend.data).size).toBe(o.legend.data.length);
  });

  it('shares each value axis maximum across panels, stacked series summed', () => {
    const o = options(twoWindowTimeline())['c-split']!;
    expect(o.yAxis.map((y) => y.max)).toEqual([5, 5]);
    expect(axisMaxima({ axes: ['a'], series: [{ name: 'x', points: [[1, 3], [2, 1]], stack: 's' }, { name: 'y', points: [[1, 4], [2, 1]], stack: 's' }] })).toEqual([10]);
    expect([0, 0.7, 3, 7, 12, 230, 2500].map(niceCeil)).toEqual([1, 1, 5, 10, 20, 250, 2500]);
  });

  it('overlays the simulator run on every chart only when given, aligned on the start', () => {
    const tl = twoWindowTimeline();
    const plain = options(tl);
    for (const o of Object.values(plain)) expect(o.series.some((s) => s.name.startsWith('sim '))).toBe(false);
    const sim = offByOneSim(tl);
    const shifted = { ...sim, meta: { ...sim.meta, start: sim.meta.start - 3_600_000 }, samples: sim.samples.map((s) => ({ ...s, t: s.t - 3_600_000 })) };
    const withSim = options(tl, shifted);
    for (const id of CHART_IDS) {
      const simSeries = withSim[id]!.series.filter((s) => s.name.startsWith('sim '));
      expect(simSeries.map((s) => s.xAxisIndex), id).toEqual([0, 1]);
    }
    const simDesired = withSim['c-curve']!.series.find((s) => s.name === 'sim desired' && s.xAxisIndex === 0)!;
    expect((simDesired.data[1] as [number, number])[0]).toBe(tl.samples[1]!.t);
    expect((simDesired.data[1] as [number, number])[1]).toBe(tl.samples[1]!.hpa.desired + 1);
  });

  it('keeps a simulator sample taken just before the first recorded sample of a window in that window', () => {
    const tl = twoWindowTimeline();
    const sim = offByOneSim(tl);
    const early = { ...sim, samples: sim.samples.map((s) => ({ ...s, t: s.t - 30_000 })) };
    const o = options(tl, early)['c-curve']!;
    expect(o.xAxis[0]!.max).toBeLessThan(tl.meta.start + 61 * 60_000);
    expect(o.xAxis[1]!.min).toBe(tl.samples[61]!.t - 30_000);
  });

  it('lays panels out left to right without overlap, widths by duration with a floor', () => {
    const l = panelLayout([{ start: 0, end: 100 }, { start: 200, end: 201 }, { start: 300, end: 400 }], true);
    l.slice(1).forEach((p, i) => expect(p.left).toBeGreaterThan(l[i]!.left + l[i]!.width));
    expect(l[1]!.width).toBeGreaterThan(5);
    expect(l.at(-1)!.left + l.at(-1)!.width).toBeLessThanOrEqual(93.0001);
    const many = panelLayout(Array.from({ length: 40 }, (_, i) => ({ start: i * 10, end: i * 10 + 5 })), false);
    expect(many.every((p) => p.width > 0)).toBe(true);
    expect(many.at(-1)!.left + many.at(-1)!.width).toBeLessThanOrEqual(97.0001);
  });
});

describe('the cost chart', () => {
  const cost = { prices: DEFAULT_PRICES, pod: { vcpu: 0.5, memoryGiB: 0.5 }, ecsPools: [{ name: 'ecs', instanceType: 'ecs.g7.xlarge', count: 3, vcpu: 4, memoryGiB: 16 }] };

  it('draws the running cost of each tier in money, stacked, ending at the run cost', () => {
    const tl = twoWindowTimeline(true);
    const spec = chartSpecs(tl, undefined, tl, cost)['c-cost'];
    expect(spec.axes).toEqual(['CNY (cumulative)']);
    const [ecs, eci, baseline] = spec.series;
    expect([ecs!.name, eci!.name, baseline!.name]).toEqual(['ECS nodes (CNY)', 'ECI pods (CNY)', 'baseline total (CNY)']);
    expect(ecs!.stack).toBe(eci!.stack);
    const c = costOf(measure(tl), cost);
    expect(ecs!.points.at(-1)![1]).toBeCloseTo(c.ecs, 9);
    expect(eci!.points.at(-1)![1]).toBeCloseTo(c.eci, 9);
    expect(baseline!.points.at(-1)![1]).toBeCloseTo(c.total, 9);
    // The gap between the windows costs nothing: the ECS tier is flat across it.
    const w2 = tl.meta.windows![1]!.start;
    const before = ecs!.points.filter(([t]) => t < w2).at(-1)![1]!;
    const first = ecs!.points.find(([t]) => t >= w2)![1]!;
    expect(first).toBe(before);
  });

  it('without prices, ECI pod-hours as before', () => {
    expect(chartSpecs(sampleTimeline())['c-cost'].axes).toEqual(['ECI pod-hours']);
  });
});

describe('the split chart in the placement kind\'s words', () => {
  it('names a UnitedDeployment\'s subsets in the legend, the tooltip\'s series and the heading, not source/unit', async () => {
    const s = await loadScenario(fileURLToPath(new URL('../kinds/placement/uniteddeployment/testdata/ack-hpa/scenario.yaml', import.meta.url)));
    const sys = systemFromScenario(s, await loadSystemManifests(manifestsSource(s, undefined)));
    expect(sys.placement.kind).toBe('UnitedDeployment');
    const basis = runBasis(s, sys);
    const tl = simulate(s, sys, { settings: basis.settings }).timeline!;
    const split = options(tl, tl, undefined, basis.cost, basis.tiers)['c-split']!;
    expect(split.legend.data).toEqual(['ECS subset', 'ECI subset', 'sim replicas']);
    // The tooltip lists the series by name: no ElasticWorkload word in any of them.
    expect(split.series.map((x) => x.name).filter((n) => /source|unit|EW/.test(n))).toEqual([]);
    const html = toHtml(tl, [], { basis });
    expect(html).toContain('<h2>ECS subset vs ECI subset replicas</h2>');
    expect(html).not.toContain('Source vs unit replicas');
    expect(html).toContain('"ECI subset"');
  }, 60_000);

  it('keeps the ElasticWorkload\'s words, with the node type, for a timeline with no placement named', () => {
    const split = options(sampleTimeline())['c-split']!;
    expect(split.legend.data.slice(0, 2)).toEqual(['source (ECS)', 'unit (ECI)']);
  });
});
