import { cronHpaConflict } from './rule-cronhpa.ts';
import { atLeast, SEVERITIES, type Finding, type LintContext, type Rule, type Severity } from './model.ts';
import { HPA_RULES } from './rules-hpa.ts';

/**
 * Every rule `ebbflow lint` runs, in the order they are listed. A rule is one object (`model.ts`,
 * `Rule`): its id, default severity, the policy in a sentence, help, and a pure `check` over the
 * manifests and the simulation. A new scaler kind adds its rules here; the CronHPA scaler kind,
 * when it lands, replaces `cronHpaConflict` (same id, so suppressions and code-scanning alerts keep
 * their identity) with one that reads its own simulation.
 */
export const RULES: readonly Rule[] = [...HPA_RULES, cronHpaConflict];

/** The findings of `rules` on one context, errors first, then by time of the counter-example. */
export function runRules(ctx: LintContext, rules: readonly Rule[] = RULES): Finding[] {
  const rank = (s: Severity) => SEVERITIES.length - SEVERITIES.indexOf(s);
  return rules.flatMap((r) => r.check(ctx)).sort((a, b) => rank(a.severity) - rank(b.severity) || a.counterExample.t - b.counterExample.t);
}

/** Whether any finding is at or above `failOn`: the command's exit 1. */
export function failing(findings: readonly Finding[], failOn: Severity): boolean {
  return findings.some((f) => atLeast(f.severity, failOn));
}
