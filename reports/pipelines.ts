import type { CheckResult } from '../core/checks/expectations.ts';
import { observedRuns, runMeasures, targetReplicas, type RunBasis } from '../core/checks/measures.ts';
import { periodLabel } from '../core/prices.ts';
import type { Timeline } from '../core/timeline/format.ts';
import { echarts, esc, scriptJson } from './html.ts';
import { lagSeconds } from './lag.ts';

/**
 * One page comparing the pipelines that carry the same curve to an HPA (adapter, KEDA's
 * prometheus trigger, KEDA's SLS scaler): per pipeline the metric lag (`lag.ts`, the one
 * definition), the slowest reaction, peak replicas, SLO coverage and cost — every figure a measure
 * of `core/checks/measures.ts` with the run's basis — and one replicas-over-time chart.
 */

/** One pipeline's run of the scenario. */
export interface PipelineRun {
  /** Short name, e.g. `adapter`. */
  name: string;
  /** What carries the metric, e.g. `exporter → Prometheus → prometheus-adapter → HPA`. */
  path: string;
  timeline: Timeline;
  basis: RunBasis;
  results: CheckResult[];
}

export function pipelineFigures(r: PipelineRun) {
  const { measures, cost } = runMeasures(r.timeline, r.basis);
  return {
    lag: lagSeconds(r.timeline, r.timeline.samples.map((s) => s.metric ?? undefined)),
    reaction: measures.slowestReaction,
    peakReplicas: measures.peakReplicas,
    slo: measures.sloCoveragePercent,
    cost,
    observedSeconds: measures.observedSeconds,
    passed: r.results.every((x) => x.passed),
    failed: r.results.filter((x) => !x.passed).map((x) => x.name),
  };
}
type Figures = ReturnType<typeof pipelineFigures>;

const reactionText = (f: Figures) => (f.reaction ? `${f.reaction.seconds.toFixed(0)} s${f.reaction.reached ? '' : ' (never reached)'}` : 'no rise');

/** The table's rows: a header, then one row per pipeline. */
export function pipelineRows(runs: PipelineRun[]): string[][] {
  const figs = runs.map(pipelineFigures);
  const withCost = figs.every((f) => f.cost);
  const money = withCost && figs[0] ? `${figs[0].cost!.currency}/${periodLabel(figs[0].observedSeconds)}` : '';
  const estimated = withCost && figs.some((f) => f.cost!.ecsEstimated) ? ', ECS price estimated' : '';
  const head = ['pipeline', 'path', 'metric lag', 'slowest reaction', 'peak replicas', 'SLO coverage', ...(withCost ? [`ECI cost (${money})`, `total cost (${money})${estimated}`] : []), 'expectations'];
  const rows = runs.map((r, i) => {
    const f = figs[i]!;
    return [
      r.name,
      r.path,
      f.lag === undefined ? 'no metric' : `${f.lag} s`,
      reactionText(f),
      String(f.peakReplicas),
      `${f.slo.toFixed(1)} %`,
      ...(withCost ? [f.cost!.eci.toFixed(2), f.cost!.total.toFixed(2)] : []),
      f.passed ? 'all pass' : `FAIL: ${f.failed.join(', ')}`,
    ];
  });
  return [head, ...rows];
}

export interface PipelinesPage {
  scenario: string;
  /** How the runs were made, e.g. `replayed on the local control plane` or `simulated`. */
  how: string;
  /** With a replay, the same pipelines in the simulator: what the model's pipeline constants give, beside what the control plane did. */
  simulated?: PipelineRun[];
}

const SIMULATED_HEAD = 'The same pipelines in the simulator (its pipeline constants, no control plane timing):';

const NOTES = [
  'metric lag: the shift (virtual s) that best lines the metric the HPA saw up with the curve (least mean absolute difference, never across a window gap).',
  'slowest reaction: the longest time from a rise of the needed replicas to the HPA desiring them; peak replicas: the most the HPA\'s target ran; SLO coverage: share of samples whose ready pods cover the need.',
];

export function pipelinesMarkdown(runs: PipelineRun[], o: PipelinesPage): string {
  const [head, ...rows] = pipelineRows(runs);
  const cell = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `# ebbflow pipelines: ${o.scenario}`,
    '',
    `The same curve and expectations through ${runs.length} pipelines (${o.how}).`,
    '',
    `| ${head!.map(cell).join(' | ')} |`,
    `|${head!.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    '',
    ...(o.simulated ? [SIMULATED_HEAD, '', ...pipelineRows(o.simulated).flatMap((r, i) => [`| ${r.map(cell).join(' | ')} |`, ...(i === 0 ? [`|${r.map(() => '---').join('|')}|`] : [])]), ''] : []),
    ...NOTES.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

/**
 * Replicas over observed time, one line per pipeline: x is virtual minutes of observed time from the
 * first sample, the skipped hours between windows left out so the runs line up; a break (null) at
 * each window's start keeps a line from joining two windows.
 */
export function replicasSeries(tl: Timeline): (readonly [number, number] | null)[] {
  const out: (readonly [number, number] | null)[] = [];
  let offsetMs = 0;
  for (const [from, to] of observedRuns(tl)) {
    if (out.length > 0) out.push(null);
    const start = tl.samples[from]!.t;
    for (let i = from; i < to; i++) out.push([Number(((offsetMs + tl.samples[i]!.t - start) / 60_000).toFixed(3)), targetReplicas(tl.samples[i]!)] as const);
    offsetMs += tl.samples[to - 1]!.t - start;
  }
  return out;
}

const COLORS = ['#5470c6', '#ee6666', '#3ba272', '#fac858'];

export function pipelinesChartOption(runs: PipelineRun[]): Record<string, unknown> {
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 60, right: 30, top: 40, bottom: 50 },
    xAxis: { type: 'value', name: 'observed virtual minutes', nameLocation: 'middle', nameGap: 30 },
    yAxis: { type: 'value', name: 'replicas', nameLocation: 'middle', nameGap: 36, minInterval: 1 },
    series: runs.map((r, i) => ({ name: r.name, type: 'line', step: 'end', showSymbol: false, connectNulls: false, color: COLORS[i % COLORS.length], data: replicasSeries(r.timeline) })),
  };
}

function htmlTable(id: string, runs: PipelineRun[]): string {
  const [head, ...rows] = pipelineRows(runs);
  return `<table id="${id}"><tr>${head!.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>
${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n')}
</table>`;
}

export function pipelinesHtml(runs: PipelineRun[], o: PipelinesPage): string {
  const title = `ebbflow pipelines — ${o.scenario}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330;max-width:1200px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px} .muted{color:#667085}
table{border-collapse:collapse;width:100%;font-size:13px} td,th{border-bottom:1px solid #e3e6ea;padding:4px 6px;text-align:left} th{white-space:nowrap} td:nth-child(2){min-width:22em}
.chart{width:100%;height:420px}
</style></head><body>
<h1>${esc(title)}</h1>
<div class="muted">The same curve and expectations through ${runs.length} pipelines (${esc(o.how)}).</div>
<h2>Figures</h2>
${htmlTable('pipelines', runs)}
${o.simulated ? `<p class="muted">${esc(SIMULATED_HEAD)}</p>\n${htmlTable('simulated', o.simulated)}` : ''}
<ul class="muted">${NOTES.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
<h2>Replicas over time</h2><div id="c-replicas" class="chart"></div>
<script>${echarts()}</script>
<script>
const c = echarts.init(document.getElementById('c-replicas'), null, { renderer: 'canvas' });
c.setOption(${scriptJson(pipelinesChartOption(runs))});
window.addEventListener('resize', () => c.resize());
document.body.dataset.chartsRendered = String(document.querySelectorAll('.chart canvas').length);
</script>
</body></html>
`;
}
