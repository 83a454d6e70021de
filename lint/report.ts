import type { Finding } from './model.ts';
import { fmt } from './model.ts';

/** The text report: one block per finding, `file:line:column: severity rule-id`, the message and its counter-example. */
export function toText(findings: readonly Finding[], about: { manifests: string; scenario: string; coveragePercent: number; notes: string[] }): string {
  const lines = about.notes.map((n) => `note: ${n}`);
  for (const f of findings) {
    const where = [f.location.file, f.location.line, f.location.column].filter((x) => x !== undefined).join(':');
    const c = f.counterExample;
    lines.push(`${where}: ${f.severity} ${f.ruleId}: ${f.location.field}`, `  ${f.message}`, `  counter-example: at ${c.at} ${fmt(c.devices)} devices, need ${c.needed}, the HPA held ${c.replicas}${c.ready !== undefined ? `, ${c.ready} Ready` : ''}`, '');
  }
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  lines.push(`${findings.length ? `${count('error')} error(s), ${count('warning')} warning(s), ${count('note')} note(s)` : 'no findings'} in ${about.manifests} on scenario ${about.scenario} (simulated SLO coverage ${about.coveragePercent.toFixed(1)} %)`);
  return `${lines.join('\n')}\n`;
}
