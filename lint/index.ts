export { RULES, runRules, failing } from './rules.ts';
export { loadLint, type LintLoad, type LintLoadOptions } from './load.ts';
export { toSarif, artifactUri, SARIF_SCHEMA } from './sarif.ts';
export { toText } from './report.ts';
export { atLeast, SEVERITIES, type Finding, type Rule, type RuleMeta, type Severity, type Location, type CounterExample, type LintContext } from './model.ts';
