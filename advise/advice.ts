import { formatMoney } from '../core/prices.ts';
import type { Outcome, SearchResult } from './search.ts';
import type { Policy } from './families.ts';
import { historyMarkdown, type DayVerdict, type Holdout } from './days.ts';

/** advice.json and advice.md, pure. */

export interface PolicyVerdict {
  /** The knobs and the family (`hpa`, `hpa+cronhpa`); a CronHPA's jobs with it. */
  policy: Policy;
  cost: number;
  currency: string;
  sloCoverage: number;
  passed: boolean;
  /** With a history: the policy on each day searched on (cost and coverage above aggregate them). */
  perDay?: DayVerdict[] | undefined;
}

export interface Advice {
  scenario: string;
  /** The source scenario the search ran. */
  from: string;
  growth: number;
  /** The period the costs are over, seconds of observed time. */
  seconds: number;
  minSlo: number;
  current: PolicyVerdict;
  recommended: PolicyVerdict | null;
  /** (current − recommended) / current × 100; null without a recommendation. */
  savingPercent: number | null;
  search: { candidates: number; explored: number; simulated: number; nonMonotone: number; seconds: number; exploredPerSecond: number; families?: Record<string, { candidates: number; explored: number; simulated: number }> };
  /** The recommended CronHPA's schedule in plain words, when it has one. */
  schedule?: string;
  /** With a history: the file, the days searched on, the days left out and how the days are aggregated. */
  history?: { file: string; days: string[]; left: { day: string; why: string }[]; aggregation: string } | undefined;
  /** With a history and days held out: the recommendation checked on them. */
  holdout?: Holdout | undefined;
  patch: string;
}

export const verdict = (policy: Policy, o: Outcome, currency: string, minSlo: number): PolicyVerdict => ({ policy, cost: o.cost, currency, sloCoverage: o.sloCoverage, passed: o.passed && o.sloCoverage >= minSlo });

export function buildAdvice(a: Omit<Advice, 'savingPercent' | 'search'> & { result: SearchResult & { families?: Record<string, { candidates: number; explored: number; simulated: number }> }; searchSeconds: number }): Advice {
  const { result, searchSeconds, ...rest } = a;
  const savingPercent = a.recommended && a.current.cost > 0 ? ((a.current.cost - a.recommended.cost) / a.current.cost) * 100 : null;
  return {
    ...rest,
    savingPercent,
    search: { candidates: result.candidates, explored: result.explored, simulated: result.simulated, nonMonotone: result.nonMonotone, seconds: searchSeconds, exploredPerSecond: result.explored / Math.max(searchSeconds, 1e-9), ...(result.families ? { families: result.families } : {}) },
  };
}

const tol = (t: number | null | undefined) => (t === null || t === undefined ? "the controller's flag" : `${(t * 100).toFixed(0)} %`);
const KNOBS: [keyof Policy, string, ((v: Policy) => string)?][] = [
  ['family', 'policy family'],
  ['target', 'HPA target (AverageValue, devices per replica)'],
  ['minReplicas', 'HPA minReplicas'],
  ['maxReplicas', 'HPA maxReplicas'],
  ['stabilization', 'scale-down stabilization, s'],
  ['sourceMax', 'ElasticWorkload sourceTarget.max (ECS tier)'],
  ['ecsNodes', 'ECS nodes (first pool)'],
  ['scaleUpTolerance', 'HPA behavior.scaleUp.tolerance', (v) => tol(v.scaleUpTolerance)],
  ['cronJobs', 'CronHPA floor schedule', (v) => (v.cronJobs?.length ? v.cronJobs.map((j) => `${j.schedule.split(' ')[2]}:00 → ${j.targetSize}`).join(', ') : 'none')],
];

export function adviceMarkdown(a: Advice): string {
  const money = (v: number, c: string) => formatMoney(v, c, a.seconds);
  const row = (name: string, v: PolicyVerdict) => `| ${name} | ${money(v.cost, v.currency)} | ${v.sloCoverage.toFixed(1)} % | ${v.passed ? 'yes' : 'no'} |`;
  const lines = [
    `# Autoscaling advice: ${a.from}`,
    '',
    `The cheapest policy that meets every expectation of the scenario and covers at least ${a.minSlo.toFixed(1)} % of the time${a.history ? ` on each of the ${a.history.days.length} day(s) of \`${a.history.file}\` searched on` : ''}${a.growth !== 1 ? `, on the curve × ${a.growth}` : ''}.${a.history ? ` Cost: ${a.history.aggregation}.` : ''}`,
    '',
    '| policy | cost | SLO coverage | passes |',
    '|---|---|---|---|',
    row('current', a.current),
    ...(a.recommended ? [row('recommended', a.recommended)] : []),
    '',
  ];
  if (a.recommended) {
    lines.push(`Saving: **${a.savingPercent!.toFixed(1)} %**.`, '', '| knob | current | recommended |', '|---|---|---|');
    for (const [k, label, show] of KNOBS) {
      const [was, now] = [a.current.policy, a.recommended.policy].map((p) => (show ? show(p) : String(p[k])));
      lines.push(`| ${label} | ${was} | ${now}${now !== was ? ' ←' : ''} |`);
    }
    if (a.schedule) lines.push('', `The CronHPA (\`patch/cronhpa.yaml\`, on the HPA): ${a.schedule}`);
    lines.push('', `The change: \`${a.patch}\` (a kustomize overlay of your manifests); a runnable scenario of it: \`${a.scenario}\`.`);
    if (a.recommended.policy.ecsNodes !== a.current.policy.ecsNodes) lines.push('', `The ECS pool is not in the manifests: size the node pool to ${a.recommended.policy.ecsNodes} node(s) yourself (the scenario's nodes.ecs says so).`);
  } else {
    lines.push('No candidate passes: none of the searched policies meets every expectation at that coverage. Widen the search or relax --min-slo.');
  }
  if (a.history) lines.push(...historyMarkdown({ history: a.history, holdout: a.holdout, current: a.current.perDay ?? [], recommended: a.recommended?.perDay }, (v) => money(v, a.current.currency)));
  const s = a.search;
  const fam = s.families ? `; by family: ${Object.entries(s.families).map(([f, x]) => `${f} ${x.candidates.toLocaleString('en-US')} candidates, ${x.simulated.toLocaleString('en-US')} simulated`).join('; ')}` : '';
  lines.push('', `Search: ${s.candidates.toLocaleString('en-US')} candidate policies, ${s.explored.toLocaleString('en-US')} explored (simulated, or proven no cheaper by monotonicity), ${s.simulated.toLocaleString('en-US')} simulated, in ${s.seconds.toFixed(1)} s (${Math.round(s.exploredPerSecond).toLocaleString('en-US')} explored/s)${s.nonMonotone ? `; ${s.nonMonotone} rows were not monotone and were simulated in full` : ''}${fam}.`, '');
  return lines.join('\n');
}
