import type { Finding, Rule, Severity } from './model.ts';

/**
 * Findings as SARIF 2.1.0 (the format GitHub code scanning reads to annotate a pull request's
 * lines): one run, the rules in `tool.driver.rules`, each result pointing at the manifest's file
 * relative to the repository root (`%SRCROOT%`, where CI checks out and runs the command) and its
 * line. The counter-example travels in the result's `properties`.
 */

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', note: 'note' };

/** A shown path (relative to the current directory, or absolute when outside it) as a SARIF URI. */
export function artifactUri(file: string): string {
  const posix = file.split('\\').join('/');
  if (posix.startsWith('/')) return `file://${encodeURI(posix)}`;
  return encodeURI(posix.replace(/^\.\//, ''));
}

export function toSarif(findings: readonly Finding[], rules: readonly Rule[], version: string): object {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ebbflow',
            version,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)(\w)/g, (_, _d: string, c: string) => c.toUpperCase()),
              shortDescription: { text: r.summary },
              fullDescription: { text: r.help },
              help: { text: r.help },
              defaultConfiguration: { level: LEVEL[r.severity] },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'the repository root (the directory ebbflow lint ran in)' } } },
        results: findings.map((f) => {
          const absolute = artifactUri(f.location.file).startsWith('file://');
          return {
            ruleId: f.ruleId,
            ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId)! } : {}),
            level: LEVEL[f.severity],
            message: { text: f.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: artifactUri(f.location.file), ...(absolute ? {} : { uriBaseId: '%SRCROOT%' }) },
                  ...(f.location.line ? { region: { startLine: f.location.line, ...(f.location.column ? { startColumn: f.location.column } : {}) } } : {}),
                },
                message: { text: f.location.field },
              },
            ],
            properties: { counterExample: f.counterExample },
          };
        }),
      },
    ],
  };
}
