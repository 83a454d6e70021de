import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { CheckResult } from '../core/checks/expectations.ts';
import { EXACT_SETTINGS } from '../core/checks/measures.ts';
import { tierName, timelineTiers, type Tiers } from '../core/checks/tiers.ts';
import type { Timeline } from '../core/timeline/format.ts';
import { describeAgreement, simAgreement } from './agreement.ts';
import { chartData } from './chart-data.ts';
import { chartOptions } from './charts.ts';
import { policyDiff, type DiffOptions, type DiffRow } from './diff.ts';
import { figuresLine } from './markdown-figures.ts';
import { formatClock } from '../core/time-zone.ts';
import { timelineWindows, timelineZone, wallLabel, windowLabelIn } from './windows.ts';

export { chartData };

const require = createRequire(import.meta.url);
let echartsSource: string | undefined;
/** The ECharts bundle's source, inlined so a report opens without network. */
export function echarts(): string {
  echartsSource ??= readFileSync(require.resolve('echarts/dist/echarts.min.js'), 'utf8');
  return echartsSource;
}

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** JSON safe inside a <script> element. */
export const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028|\u2029/g, '');

export interface HtmlOptions extends DiffOptions {
  wallSeconds?: number;
  warnings?: string[];
  /** The simulator's run of the same scenario: overlaid on the charts, with its agreement figure. */
  sim?: Timeline;
  /** An earlier run (e.g. the main branch's): overlaid dashed on the charts, with the before/after table. */
  baseline?: Timeline;
}

function baselineSection(tl: Timeline, baseline: Timeline, o: DiffOptions): string {
  const rows = policyDiff(baseline, tl, o);
  const mark = (v: DiffRow['verdict']) => (v === -1 ? ' class="better"' : v === 1 ? ' class="worse"' : '');
  return `<h2>Before / after</h2><p>The baseline run (${esc(baseline.meta.scenario)}) is drawn dashed on every chart.</p>
<table id="baseline-diff"><tr><th></th><th>baseline</th><th>this change</th><th>change</th></tr>
${rows.map((r) => `<tr><td>${esc(r.figure)}</td><td>${esc(r.before)}</td><td>${esc(r.after)}</td><td${mark(r.verdict)}>${esc(r.change)}</td></tr>`).join('\n')}
</table>`;
}

/** The split chart's heading in the placement kind's words, e.g. "Source vs unit replicas", "ECS subset vs ECI subset replicas". */
function splitHeading(tiers: Tiers): string {
  const cheapest = tierName(tiers, 0);
  return `${cheapest.charAt(0).toUpperCase()}${cheapest.slice(1)} vs ${tiers.words.overflow} replicas`;
}

export function toHtml(tl: Timeline, results: CheckResult[], opts: HtmlOptions = {}): string {
  const failed = results.filter((r) => !r.passed).length;
  const data = chartData(tl);
  const basis = opts.basis ?? { settings: EXACT_SETTINGS };
  const zone = timelineZone(tl);
  const windows = timelineWindows(tl).map(windowLabelIn(zone, false)).map((w, i, all) => (i === all.length - 1 ? `${w} ${zone}` : w));
  const agreementLines = opts.sim ? simAgreement(tl, opts.sim).map(describeAgreement) : [];
  const events = tl.events.filter((e) => e.type === 'hpa.rescale' || e.type === 'hpa.condition' || (e.type === 'ew.split' && e.reason));
  const time = (t: number) => formatClock(t, zone, true);
  const title = `ebbflow — ${tl.meta.scenario}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330;max-width:1200px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.badge{display:inline-block;padding:2px 10px;border-radius:10px;color:#fff;font-weight:600}
.ok{background:#1f883d}.fail{background:#cf222e}
table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #e3e6ea;padding:5px 8px;text-align:left;vertical-align:top}
.chart{width:100%;height:320px} .better{color:#1f883d} .worse{color:#cf222e} .muted{color:#667085} .kv{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:6px 18px}
</style></head><body>
<h1>${esc(title)} <span class="badge ${failed ? 'fail' : 'ok'}">${failed ? `${failed} of ${results.length} failed` : 'all expectations met'}</span></h1>
<div class="muted">${tl.meta.source === 'cluster' ? `real control plane, compression k=${tl.meta.compression}` : 'simulator'} · virtual ${windows.length > 1 ? `windows ${windows.join(', ')} (replayed back to back; the gaps are skipped, each window is its own panel)` : windows.join('')}${opts.wallSeconds !== undefined ? ` · ${wallLabel(opts.wallSeconds)} wall` : ''}</div>
<p id="figures">${esc(figuresLine(tl, basis))}</p>
<h2>Expectations</h2>
<table><tr><th></th><th>expectation</th><th>result</th></tr>
${results.map((r) => `<tr><td><span class="badge ${r.passed ? 'ok' : 'fail'}">${r.passed ? 'PASS' : 'FAIL'}</span></td><td>${esc(r.name)}</td><td>${esc(r.message)}</td></tr>`).join('\n')}
</table>
${opts.sim ? `<h2>Simulator vs this run</h2><p>The simulator's run of the same scenario is drawn dotted on every chart. Agreement, aligned on the start:</p><ul id="sim-agreement">${agreementLines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` : ''}
${opts.baseline ? baselineSection(tl, opts.baseline, opts) : ''}
${opts.warnings?.length ? `<h2>Fidelity warnings</h2><ul>${opts.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : ''}
<h2>Active devices vs replicas</h2><div id="c-curve" class="chart"></div>
<h2>${esc(splitHeading(basis.tiers ?? timelineTiers()))}</h2><div id="c-split" class="chart"></div>
<h2>Pods per node type</h2><div id="c-pods" class="chart"></div>
<h2>${basis.cost ? `Cost per tier (${esc(basis.cost.prices.currency)}, cumulative over the observed time)` : 'Cost: ECI pod-hours (no prices given)'}</h2><div id="c-cost" class="chart"></div>
<h2>Pipeline lag</h2><div id="c-lag" class="chart"></div>
<p class="muted">The metric the HPA saw against the true curve${data.lag.length ? ', and each stage’s published value' : ''}: the horizontal gap is the pipeline’s lag (SLS window, exporter interval, scrape, adapter relist, HPA sync).</p>
<h2>Scale events</h2>
<table><tr><th>time (${esc(zone)})</th><th>event</th><th>reason</th></tr>
${events.map((e) => `<tr><td>${time(e.t)}</td><td>${esc(e.type)}${e.from !== undefined ? ` ${e.from} → ${e.to}` : ''}</td><td>${esc([e.reason, e.message].filter(Boolean).join(': '))}</td></tr>`).join('\n') || '<tr><td colspan="3" class="muted">none</td></tr>'}
</table>
<h2>Time constants</h2><div class="kv">${Object.entries(tl.meta.constants).map(([k, v]) => `<div><b>${esc(k)}</b> ${v} s virtual → ${(v / tl.meta.compression).toFixed(3)} s wall</div>`).join('')}</div>
<script>${echarts()}</script>
<script>
const O = ${scriptJson(chartOptions(tl, opts.sim, opts.baseline, basis.cost, basis.tiers))};
for (const [id, option] of Object.entries(O)) {
  const c = echarts.init(document.getElementById(id), null, { renderer: 'canvas' });
  c.setOption(option);
  window.addEventListener('resize', () => c.resize());
}
document.body.dataset.chartsRendered = String(document.querySelectorAll('.chart canvas').length);
</script>
</body></html>
`;
}
