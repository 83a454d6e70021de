import { echarts, esc, scriptJson } from './html.ts';
import { csvCells, csvHeader, whatifNotes, type JudgedRow, type WhatifInput } from './whatif.ts';

/**
 * frontier.html: one self-contained page (ECharts inlined, no network) with cost against SLO
 * coverage for every configuration — passing ones green, failing ones grey, the Pareto frontier as a
 * line, --min-slo as a horizontal rule — and the frontier's table below. Options are built here
 * (pure, tested) and only handed to `setOption` in the page.
 */

/** Points drawn per group at most: a 200,000-configuration sweep would be a 30 MB page; the frontier is always drawn whole. */
export const MAX_POINTS = 20_000;

type Pt = { value: [number, number]; name: string };

const PASS = '#1f883d';
const FAIL = '#98a2b3';
const LINE = '#5470c6';

/** Every n-th row of a long list, so a group stays under MAX_POINTS and still spans its range. */
function thin<T>(xs: T[]): T[] {
  if (xs.length <= MAX_POINTS) return xs;
  const step = xs.length / MAX_POINTS;
  return Array.from({ length: MAX_POINTS }, (_, i) => xs[Math.floor(i * step)]!);
}

export function frontierChartOption(w: WhatifInput, judged: JudgedRow[]): Record<string, unknown> {
  const label = (r: JudgedRow) => w.keys.map((k) => `${k}=${r.config[k as keyof JudgedRow['config']]}`).join(' ') + (r.passes ? ' · passes' : ` · fails ${r.failed.join(', ')}`) + (r.summary.atMaxReplicasPercent > 0 ? ' · at maxReplicas' : '');
  const pt = (r: JudgedRow): Pt => ({ value: [Number(r.summary.costTotal.toFixed(4)), Number(r.summary.sloCoveragePercent.toFixed(4))], name: label(r) });
  const front = judged.filter((r) => r.onFrontier).sort((a, b) => a.summary.costTotal - b.summary.costTotal);
  const cost = `cost (${w.currency}, ${w.span})`;
  const scatter = (name: string, rows: JudgedRow[], color: string, size: number) => ({ name, type: 'scatter', data: thin(rows).map(pt), symbolSize: size, itemStyle: { color, opacity: 0.75 }, large: rows.length > 5000 });
  return {
    animation: false,
    tooltip: { trigger: 'item', confine: true },
    legend: { top: 0 },
    grid: { left: 70, right: 30, top: 40, bottom: 60 },
    xAxis: { type: 'value', name: cost, nameLocation: 'middle', nameGap: 32, scale: true },
    yAxis: { type: 'value', name: 'SLO coverage (%)', nameLocation: 'middle', nameGap: 48, scale: true, max: 100 },
    series: [
      scatter('fails', judged.filter((r) => !r.passes), FAIL, 6),
      scatter('passes', judged.filter((r) => r.passes), PASS, 8),
      {
        name: 'frontier (cheapest for its coverage)',
        type: 'line',
        step: 'end',
        // A frontier point is filled green when it passes, grey when it fails: the line alone does not say which.
        data: front.map((r) => ({ ...pt(r), itemStyle: { color: r.passes ? PASS : FAIL, borderColor: LINE, borderWidth: 2 } })),
        symbol: 'circle',
        symbolSize: 10,
        itemStyle: { color: LINE },
        lineStyle: { width: 2 },
        z: 3,
        ...(w.minSlo !== undefined ? { markLine: { symbol: 'none', silent: true, lineStyle: { color: '#cf222e', type: 'dashed' }, label: { formatter: `--min-slo ${w.minSlo}%`, position: 'insideEndTop' }, data: [{ yAxis: w.minSlo }] } } : {}),
      },
    ],
  };
}

export function frontierHtml(w: WhatifInput, judged: JudgedRow[]): string {
  const header = csvHeader(w);
  const front = judged.filter((r) => r.onFrontier).sort((a, b) => a.summary.costTotal - b.summary.costTotal);
  const drawn = judged.length > 2 * MAX_POINTS ? `<p class="muted">${judged.length} configurations: at most ${MAX_POINTS} passing and ${MAX_POINTS} failing ones are drawn, evenly through the sweep; the frontier is drawn whole.</p>` : '';
  const title = `ebbflow what-if — ${w.scenario}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330;max-width:1200px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px} .muted{color:#667085}
table{border-collapse:collapse;width:100%;font-size:13px} td,th{border-bottom:1px solid #e3e6ea;padding:4px 6px;text-align:right} th{white-space:nowrap}
tr.pass td:first-child{border-left:4px solid #1f883d} tr.fail td:first-child{border-left:4px solid #98a2b3}
.chart{width:100%;height:480px}
</style></head><body>
<h1>${esc(title)}</h1>
<div class="muted">${judged.length} configurations · ${esc(w.span)} · cost in ${esc(w.currency)} over the simulated time</div>
<ul>${whatifNotes(w, judged).map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
<h2>Cost vs SLO coverage</h2><div id="c-frontier" class="chart"></div>
${drawn}
<h2>Frontier</h2>
<div style="overflow-x:auto"><table id="frontier"><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>
${front.map((r) => `<tr class="${r.passes ? 'pass' : 'fail'}">${csvCells(w, r).map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n')}
</table></div>
<script>${echarts()}</script>
<script>
const option = ${scriptJson(frontierChartOption(w, judged))};
option.tooltip.formatter = (p) => p.name + '<br>' + p.value[0] + ' ' + ${scriptJson(w.currency)} + ', ' + p.value[1] + ' %';
const c = echarts.init(document.getElementById('c-frontier'), null, { renderer: 'canvas' });
c.setOption(option);
window.addEventListener('resize', () => c.resize());
document.body.dataset.chartsRendered = String(document.querySelectorAll('.chart canvas').length);
</script>
</body></html>
`;
}
