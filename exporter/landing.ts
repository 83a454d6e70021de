import type { BuildInfo } from './build-info.ts';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page `/` answers: what this is, which build, and where the metrics are — so someone who
 * port-forwards to the pod sees an exporter, not a 404. Rendered once at start (nothing on it changes).
 */
export function landingPage(info: BuildInfo, selfPrefix: string, metrics: string[]): string {
  const build = [`version ${info.version}`, ...(info.revision ? [`revision ${info.revision}`] : []), `Node.js ${info.nodejs}`].map(escape).join(', ');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><title>SLS exporter</title></head><body>',
    '<h1>SLS exporter</h1>',
    `<p>Alibaba Cloud Log Service queries as Prometheus metrics (ebbflow; ${build}).</p>`,
    '<ul>',
    '<li><a href="metrics">/metrics</a> — the metrics</li>',
    '<li><a href="healthz">/healthz</a> — liveness</li>',
    '<li><a href="readyz">/readyz</a> — ready once every metric had a good answer</li>',
    '</ul>',
    `<p>Polled metrics: ${metrics.map((m) => `<code>${escape(m)}</code>`).join(', ')}; the exporter's own: <code>${escape(selfPrefix)}_*</code>.</p>`,
    '</body></html>',
    '',
  ].join('\n');
}
