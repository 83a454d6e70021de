import type { CostBasis } from '../core/checks/measures.ts';
import { tierName, timelineTiers, type Tiers } from '../core/checks/tiers.ts';
import type { Timeline } from '../core/timeline/format.ts';
import { chartData } from './chart-data.ts';
import { downsampleSeries } from './downsample.ts';
import { zoneOffsetMs } from '../core/time-zone.ts';
import { splitByWindow, timelineWindows, timelineZone, windowLabelIn, windowRanges, type Window } from './windows.ts';

/**
 * ECharts options for the report, built here (pure, tested) and only handed to `setOption` in the
 * page. Each replay window is its own panel (grid) with its own time axis, so no line is drawn
 * across the skipped hours between windows; panels share each value axis's maximum so heights
 * compare. Labels avoid each other: axis labels and rescale labels hide on overlap, window titles
 * sit between the legend and the plots, axis names run along the axes.
 */

type Point = [number, number | null];
type Marker = { t: number; v: number; label: string };

export interface SeriesSpec {
  name: string;
  points: Point[];
  /** Index into the chart's value axes (0 left, 1 right). */
  axis?: 0 | 1;
  step?: boolean;
  stack?: string;
  area?: boolean;
  dashed?: boolean;
  /** The simulator's run: drawn dotted in one colour so it reads as an overlay. */
  sim?: boolean;
  /** The baseline run (--baseline): drawn dashed in one grey so it reads as "before". */
  baseline?: boolean;
}

export interface ChartSpec {
  axes: string[];
  series: SeriesSpec[];
  markers?: Marker[];
}

export const CHART_IDS = ['c-curve', 'c-split', 'c-pods', 'c-cost', 'c-lag'] as const;
export type ChartId = (typeof CHART_IDS)[number];

const PALETTE = ['#5470c6', '#91cc75', '#fac858', '#ee6666', '#73c0de', '#3ba272', '#fc8452', '#9a60b4', '#ea7ccc'];
const SIM_COLOR = '#1d2330';
const BASELINE_COLOR = '#98a2b3';
const MARKER = 'HPA rescale';

/**
 * The cost chart: with a cost basis, the running cost of each tier in money (stacked: the top is the
 * total), the simulator's and the baseline's totals as overlays; without one, ECI pod-hours.
 */
function costChart(d: ReturnType<typeof chartData>, cost: CostBasis | undefined, overlays: (name: string, pick: (x: ReturnType<typeof chartData>) => Point[]) => SeriesSpec[]): ChartSpec {
  if (!cost || !d.ecsCost || !d.eciCost) {
    return { axes: ['ECI pod-hours'], series: [{ name: 'ECI pod-hours (cumulative)', points: d.eciHours, area: true }, ...overlays('ECI pod-hours', (x) => x.eciHours)] };
  }
  const c = cost.prices.currency;
  const total = (x: ReturnType<typeof chartData>): Point[] => (x.ecsCost ?? []).map(([t, v], i) => [t, v + (x.eciCost?.[i]?.[1] ?? 0)]);
  return {
    axes: [`${c} (cumulative)`],
    series: [
      { name: `ECS nodes (${c})`, points: d.ecsCost, stack: 'c', area: true },
      { name: `ECI pods (${c})`, points: d.eciCost, stack: 'c', area: true },
      ...overlays(`total (${c})`, total),
    ],
  };
}

/**
 * The split chart's series names: the placement's tiers in its kind's words, as the checks and the
 * cost per tier name them (`tierName`), the node type added where the word does not say it. The
 * overflow series adds every overflow tier up, so it takes the overflow word without a number.
 */
export function splitNames(tiers: Tiers): { cheapest: string; overflow: string } {
  const onNode = (word: string, node: 'ECS' | 'ECI') => (word.includes(node) ? word : `${word} (${node})`);
  return { cheapest: onNode(tierName(tiers, 0), 'ECS'), overflow: onNode(tiers.words.overflow, 'ECI') };
}

/**
 * The five charts' series, with the simulator's counterparts when a simulated timeline is given;
 * `tiers` names the split chart's series (default: the timeline's own words, `source` and `unit`).
 */
export function chartSpecs(tl: Timeline, sim?: Timeline, baseline?: Timeline, cost?: CostBasis, tiers: Tiers = timelineTiers()): Record<ChartId, ChartSpec> {
  const d = chartData(tl, cost);
  const overlay = (other: Timeline | undefined, flag: 'sim' | 'baseline') => {
    const shift = other ? tl.meta.start - other.meta.start : 0;
    const od = other ? chartData(other, cost) : undefined;
    return (name: string, pick: (x: ReturnType<typeof chartData>) => Point[], extra: Partial<SeriesSpec> = {}): SeriesSpec[] =>
      od ? [{ name, points: pick(od).map(([t, v]) => [t + shift, v] as Point), [flag]: true, ...extra }] : [];
  };
  const sims = overlay(sim, 'sim');
  const base = overlay(baseline, 'baseline');
  const s = sim ? chartData(sim, cost) : undefined;
  const simSeries = (name: string, pts: Point[] | undefined, extra: Partial<SeriesSpec> = {}): SeriesSpec[] => (pts ? sims(name, () => pts, extra) : []);
  const split = splitNames(tiers);
  return {
    'c-curve': {
      axes: ['replicas', 'devices'],
      series: [
        { name: 'desired', points: d.desired, step: true },
        { name: 'current', points: d.current, step: true },
        { name: 'needed', points: d.needed, step: true, dashed: true },
        { name: 'devices (curve)', points: d.devices, axis: 1 },
        { name: 'metric seen by HPA', points: d.metric, axis: 1, step: true },
        ...simSeries('sim desired', s?.desired, { step: true }),
        ...base('baseline desired', (x) => x.desired, { step: true }),
      ],
      markers: d.rescales.map(([t, v, label]) => ({ t, v, label })),
    },
    'c-split': {
      axes: ['replicas'],
      series: [
        { name: split.cheapest, points: d.source, step: true, stack: 's', area: true },
        { name: split.overflow, points: d.units, step: true, stack: 's', area: true },
        ...simSeries('sim replicas', s?.replicas, { step: true }),
        ...base('baseline replicas', (x) => x.replicas, { step: true }),
      ],
    },
    'c-pods': {
      axes: ['pods'],
      series: [
        { name: 'ECS ready', points: d.ecsReady, step: true, stack: 'r', area: true },
        { name: 'ECI ready', points: d.eciReady, step: true, stack: 'r', area: true },
        { name: 'ECS pending', points: d.ecsPending, step: true },
        { name: 'ECI pending/failed', points: d.eciPending, step: true },
        ...simSeries('sim ready (ECS + ECI)', s?.ready, { step: true }),
        ...base('baseline ready (ECS + ECI)', (x) => x.ready, { step: true }),
      ],
    },
    'c-cost': costChart(d, cost, (name, pick) => [...simSeries(`sim ${name}`, s ? pick(s) : undefined), ...base(`baseline ${name}`, pick)]),
    'c-lag': {
      axes: ['devices'],
      series: [
        { name: 'devices (curve)', points: d.devices },
        { name: 'metric seen by HPA', points: d.metric, step: true },
        ...d.lag.map((l) => ({ name: l.stage, points: l.points, step: true })),
        ...simSeries('sim metric seen by HPA', s?.metric, { step: true }),
      ],
    },
  };
}

/** Every chart's ECharts option, one panel per window, times on the clock of the timeline's zone. */
export function chartOptions(tl: Timeline, sim?: Timeline, baseline?: Timeline, cost?: CostBasis, tiers?: Tiers): Record<ChartId, Record<string, unknown>> {
  const zone = timelineZone(tl);
  const local = toZoneClock(zone);
  const windows = timelineWindows(tl).map((w) => ({ start: local(w.start), end: local(w.end) }));
  const specs = chartSpecs(tl, sim, baseline, cost, tiers);
  const shifted = (c: ChartSpec): ChartSpec => ({
    ...c,
    series: c.series.map((x) => ({ ...x, points: x.points.map(([t, v]) => [local(t), v] as Point) })),
    ...(c.markers ? { markers: c.markers.map((m) => ({ ...m, t: local(m.t) })) } : {}),
  });
  // Drawn at the chart's resolution (downsample.ts); the timeline keeps every sample.
  return Object.fromEntries(CHART_IDS.map((id) => [id, panelOption(windows, { ...shifted(specs[id]), series: downsampleSeries(shifted(specs[id]).series) }, zone)])) as Record<ChartId, Record<string, unknown>>;
}

/**
 * ECharts formats a time axis in UTC or in the browser's zone, never in a named one; so the charts
 * get times moved by the scenario zone's offset and draw them as UTC, which reads as the zone's
 * clock wherever the report is opened. Offsets are looked up per quarter hour (every zone's changes
 * fall on one), not per point: a week of samples would be a million Intl calls.
 */
export function toZoneClock(zone: string): (t: number) => number {
  if (zone === 'UTC') return (t) => t;
  const memo = new Map<number, number>();
  return (t) => {
    const q = Math.floor(t / 900_000);
    let off = memo.get(q);
    if (off === undefined) memo.set(q, (off = zoneOffsetMs(q * 900_000, zone)));
    return t + off;
  };
}

/** The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above v, so shared axis maxima are round numbers. */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((x) => x >= v * (1 - 1e-12))!;
}

/** The largest value on each axis, stacked series summed per time. */
export function axisMaxima(spec: ChartSpec): number[] {
  const max = spec.axes.map(() => 0);
  const stacks = new Map<string, Map<number, number>>();
  for (const s of spec.series) {
    const a = s.axis ?? 0;
    for (const [t, v] of s.points) {
      if (v === null) continue;
      if (s.stack === undefined) max[a] = Math.max(max[a]!, v);
      else {
        const key = `${a}/${s.stack}`;
        if (!stacks.has(key)) stacks.set(key, new Map());
        const m = stacks.get(key)!;
        m.set(t, (m.get(t) ?? 0) + v);
        max[a] = Math.max(max[a]!, m.get(t)!);
      }
    }
  }
  for (const m of spec.markers ?? []) max[0] = Math.max(max[0]!, m.v);
  return max.map(niceCeil);
}

/** Left edge and width (in % of the chart) of each window's panel, widths by duration with a floor. */
export function panelLayout(windows: Window[], twoAxes: boolean): { left: number; width: number }[] {
  const left = 7;
  const right = twoAxes ? 7 : 3;
  // Room between panels for the edge time labels, shrinking so many windows still fit.
  const gap = Math.min(3, 30 / windows.length);
  const usable = 100 - left - right - gap * (windows.length - 1);
  const total = windows.reduce((a, w) => a + Math.max(1, w.end - w.start), 0);
  const raw = windows.map((w) => Math.max(0.12, Math.max(1, w.end - w.start) / total));
  const sum = raw.reduce((a, b) => a + b, 0);
  let x = left;
  return raw.map((f) => {
    const width = (usable * f) / sum;
    const p = { left: x, width };
    x += width + gap;
    return p;
  });
}

function panelOption(windows: Window[], spec: ChartSpec, zone: string): Record<string, unknown> {
  const allTimes = spec.series.flatMap((s) => s.points.map((p) => p[0])).concat((spec.markers ?? []).map((m) => m.t));
  const ranges = windowRanges(windows, allTimes);
  const layout = panelLayout(windows, spec.axes.length > 1);
  const maxima = axisMaxima(spec);
  const colors = new Map<string, string>();
  for (const s of spec.series) if (!s.sim && !s.baseline && !colors.has(s.name)) colors.set(s.name, PALETTE[colors.size % PALETTE.length]!);
  const last = windows.length - 1;
  const legend = [...spec.series.map((s) => s.name), ...(spec.markers?.length ? [MARKER] : [])].filter((n, i, a) => a.indexOf(n) === i);
  return {
    animation: false,
    // Times were moved onto the zone's clock (toZoneClock), so UTC formatting shows that clock.
    useUTC: true,
    tooltip: { trigger: 'axis', confine: true },
    legend: { type: 'scroll', top: 0, left: 'center', data: legend },
    title: windows.map((w, i) => ({ text: windowLabelIn('UTC', false)(w) + ` ${zone}`, left: `${layout[i]!.left}%`, top: 28, textStyle: { fontSize: 12, fontWeight: 'normal', color: '#667085' } })),
    grid: layout.map((p) => ({ left: `${p.left}%`, width: `${p.width}%`, top: 56, bottom: 30 })),
    xAxis: ranges.map((r, i) => ({
      type: 'time',
      gridIndex: i,
      min: r.start,
      max: r.end,
      splitNumber: Math.max(2, Math.round(layout[i]!.width / 8)),
      // Edge labels kept inside their panel, or one panel's last time meets the next one's first.
      axisLabel: { hideOverlap: true, formatter: '{HH}:{mm}', alignMinLabel: 'left', alignMaxLabel: 'right' },
    })),
    yAxis: windows.flatMap((_, i) =>
      spec.axes.map((name, a) => {
        const labelled = a === 0 ? i === 0 : i === last;
        return {
          type: 'value',
          gridIndex: i,
          position: a === 0 ? 'left' : 'right',
          min: 0,
          max: maxima[a],
          name: labelled ? name : '',
          nameLocation: 'middle',
          nameGap: a === 0 ? 48 : 56,
          axisLabel: { show: labelled, hideOverlap: true },
          splitLine: { show: a === 0 },
        };
      }),
    ),
    series: windows.flatMap((_, i) => panelSeries(spec, windows, i, colors)),
  };
}

function panelSeries(spec: ChartSpec, windows: Window[], i: number, colors: Map<string, string>): Record<string, unknown>[] {
  const n = spec.axes.length;
  const lines: Record<string, unknown>[] = spec.series.map((s) => ({
    name: s.name,
    type: 'line',
    xAxisIndex: i,
    yAxisIndex: i * n + (s.axis ?? 0),
    data: splitByWindow(windows, s.points)[i],
    showSymbol: false,
    step: s.step ? 'end' : false,
    color: s.sim ? SIM_COLOR : s.baseline ? BASELINE_COLOR : colors.get(s.name),
    ...(s.stack !== undefined ? { stack: `${s.stack}-${i}` } : {}),
    ...(s.area ? { areaStyle: { opacity: 0.35 } } : {}),
    ...(s.sim ? { lineStyle: { type: 'dotted', width: 2 }, z: 3 } : s.baseline ? { lineStyle: { type: 'dashed', width: 2 }, z: 2 } : s.dashed ? { lineStyle: { type: 'dashed' } } : {}),
  }));
  if (!spec.markers?.length) return lines;
  const pts = splitByWindow(windows, spec.markers.map((m) => [m.t, m] as const))[i]!;
  return lines.concat({
    name: MARKER,
    type: 'scatter',
    xAxisIndex: i,
    yAxisIndex: i * n,
    symbol: 'triangle',
    symbolSize: 8,
    color: '#cf222e',
    data: pts.map(([t, m]) => ({ value: [t, m.v], name: m.label })),
    label: { show: true, position: 'top', formatter: '{b}', fontSize: 10, color: '#1d2330' },
    labelLayout: { hideOverlap: true },
    z: 4,
  });
}
