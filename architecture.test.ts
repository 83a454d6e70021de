import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The import rules the module READMEs state, checked against the real import graph.
 *
 * A rule is either a line in a folder's README.md —
 *     May import: `harness/timeline`, `harness/common` (why), `echarts`. Imported by: …
 * (the paragraph after "May import:", up to "Imported by:") — or a row of a Markdown table, in any
 * README, whose header has a "may import" column and whose first cell is a folder, e.g.
 *     | `cluster/nodes/` | what it owns | `harness/common`, `@kubernetes/client-node` |
 * A first cell may use `*` for one path segment (`bench/*` covers bench/replay). Backticked names are project paths
 * from the repository root (a folder allows everything under it, a file only itself) or npm packages
 * (documentation only: the graph checked here is the project's own). A rule without a project path
 * allows nothing of the project. Every folder holding non-test TypeScript needs its own rule (no
 * inheritance: a new folder is a new boundary someone should state); code may always import within
 * its own folder and below. A folder with a rule in two places needs the same paths in both.
 * Files at the repository root are tool configuration and may import no project code.
 */

const ROOT = dirname(fileURLToPath(import.meta.url));
const SKIP_DIRS = new Set(['node_modules', 'dist', 'out']);

export interface Rule {
  /** Folder (or pattern with `*` segments) the rule is for, repo-relative, no trailing slash. */
  folder: string;
  /** Project paths it allows (no trailing slash). */
  paths: string[];
  /** Every backticked name, for validation. */
  names: string[];
  /** Where it is written, for messages. */
  source: string;
  text: string;
}

const backticked = (s: string) => [...s.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.trim());
const trimSlash = (p: string) => p.replace(/\/+$/, '');

/** The "May import:" paragraph of a README, if any, up to "Imported by:". */
export function parseLineRule(readme: string, folder: string, source: string, isPath: (name: string) => boolean): Rule | undefined {
  const m = /(?:^|\n)[ \t]*May import:([\s\S]*?)(?:\n[ \t]*\n|$)/i.exec(readme);
  if (!m) return undefined;
  const text = m[1]!.split(/Imported by:/i)[0]!.replace(/\s+/g, ' ').trim();
  const names = backticked(text);
  return { folder, names, paths: names.filter(isPath).map(trimSlash), source, text: `May import: ${text}` };
}

/** Rows of every table with a "may import" column. */
export function parseTableRules(readme: string, source: string, isPath: (name: string) => boolean): Rule[] {
  const rules: Rule[] = [];
  let col = -1;
  for (const line of readme.split('\n')) {
    if (!line.trim().startsWith('|')) {
      col = -1;
      continue;
    }
    const cells = line.trim().replace(/^\||\|$/g, '').split(/(?<!\\)\|/).map((c) => c.trim());
    const header = cells.findIndex((c) => /^may import$/i.test(c));
    if (header >= 0) {
      col = header;
      continue;
    }
    if (col < 0 || cells.every((c) => /^:?-+:?$/.test(c))) continue;
    const [folder] = backticked(cells[0] ?? '');
    if (!folder || cells[col] === undefined) continue;
    const names = backticked(cells[col]!);
    rules.push({ folder: trimSlash(folder), names, paths: names.filter(isPath).map(trimSlash), source, text: `| ${cells[0]} | … | ${cells[col]} |` });
  }
  return rules;
}

const matchesFolder = (pattern: string, folder: string) => {
  const p = pattern.split('/');
  const f = folder.split('/');
  return p.length === f.length && p.every((seg, i) => seg === '*' || seg === f[i]);
};

const within = (path: string, folder: string) => folder === '' || path === folder || path.startsWith(`${folder}/`);

/** Errors for folders with TypeScript code and no rule, or with two rules that disagree. */
export function ruleFor(folder: string, rules: Rule[], importsToday: string[]): { rule?: Rule; error?: string } {
  const mine = rules.filter((r) => matchesFolder(r.folder, folder));
  if (mine.length === 0) {
    const list = importsToday.length ? importsToday.map((p) => `\`${p}\``).join(', ') : 'nothing of the project';
    return { error: `${folder}/ holds TypeScript code but no README states what it may import. Add the line "May import: ${list}." to ${folder}/README.md, or a row for \`${folder}/\` to a "may import" table of an enclosing README (it imports today: ${list}).` };
  }
  const key = (r: Rule) => [...new Set(r.paths)].sort().join(', ');
  const other = mine.find((r) => key(r) !== key(mine[0]!));
  if (other) return { error: `${folder}/ has two import rules that differ: ${mine[0]!.source} (${mine[0]!.text}) and ${other.source} (${other.text}); make them name the same paths.` };
  return { rule: mine[0] };
}

/** The error for one import, or undefined if the importer's rule allows it. */
export function checkImport(file: string, target: string, folder: string, rule: Rule): string | undefined {
  if (within(target, folder) || rule.paths.some((p) => within(target, p))) return undefined;
  return `${file} → ${target}: not allowed by ${rule.source} (${rule.text}). If the dependency is intended, name \`${posix.dirname(target)}\` in that rule; otherwise remove the import.`;
}

// ---------------------------------------------------------------------------------------------
// I/O: the repository's READMEs, TypeScript files and their imports.

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory() && !e.name.startsWith('.') && !SKIP_DIRS.has(e.name)) walk(rel, out);
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

const files = walk('');
const isProjectPath = (name: string) => !/\s/.test(name) && trimSlash(name) !== '' && existsSync(join(ROOT, trimSlash(name)));
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: object; devDependencies?: object };
const packages = new Set([...Object.keys(packageJson.dependencies ?? {}), ...Object.keys(packageJson.devDependencies ?? {}), ...builtinModules]);

function repoRules(): Rule[] {
  const rules: Rule[] = [];
  for (const readme of files.filter((f) => f === 'README.md' || f.endsWith('/README.md'))) {
    const text = readFileSync(join(ROOT, readme), 'utf8');
    const folder = posix.dirname(readme) === '.' ? '' : posix.dirname(readme);
    const line = parseLineRule(text, folder, readme, isProjectPath);
    if (line && folder !== '') rules.push(line);
    rules.push(...parseTableRules(text, readme, isProjectPath));
  }
  return rules;
}

/** Repo-relative targets of a file's relative imports (static, dynamic, type-only and re-exports). */
function projectImports(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles
    .map((i) => i.fileName)
    .filter((s) => s.startsWith('.'))
    .map((s) => relative(ROOT, join(ROOT, posix.dirname(file), s)).split(sep).join('/'));
}

const sourceFiles = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'));
const folderOf = (f: string) => (posix.dirname(f) === '.' ? '' : posix.dirname(f));
const topOf = (target: string) => (target.includes('/') ? `${posix.dirname(target)}` : target);

function checkRepository(): { missing: string[]; violations: string[] } {
  const rules = repoRules();
  const missing: string[] = [];
  const violations: string[] = [];
  const byFolder = new Map<string, string[]>();
  for (const f of sourceFiles) byFolder.set(folderOf(f), [...(byFolder.get(folderOf(f)) ?? []), f]);
  for (const [folder, inFolder] of [...byFolder].sort()) {
    const imports = inFolder.flatMap((f) => projectImports(f).map((t) => ({ f, t })));
    if (folder === '') {
      violations.push(...imports.map(({ f, t }) => `${f} → ${t}: files at the repository root are tool configuration and import no project code`));
      continue;
    }
    const today = [...new Set(imports.filter(({ t }) => !within(t, folder)).map(({ t }) => topOf(t)))].sort();
    const { rule, error } = ruleFor(folder, rules, today);
    if (error) missing.push(error);
    if (!rule) continue;
    for (const { f, t } of imports) {
      const v = checkImport(f, t, folder, rule);
      if (v) violations.push(v);
    }
  }
  return { missing, violations };
}

describe('architecture: module READMEs and the import graph', () => {
  const isPath = (n: string) => n.includes('/') && !n.startsWith('@');

  it('parses a README line rule up to "Imported by:" and across lines', () => {
    const r = parseLineRule('# x\n\nSome text.\n\nMay import: `harness/timeline`, `echarts` (inlined),\n`cluster/local/api-client.ts` (clients). Imported by: `bench/`.\n\nMore.', 'reports', 'reports/README.md', isPath)!;
    expect(r.paths).toEqual(['harness/timeline', 'cluster/local/api-client.ts']);
    expect(r.names).toEqual(['harness/timeline', 'echarts', 'cluster/local/api-client.ts']);
    expect(parseLineRule('# x\n\nAnyone may import it.\n', 'a', 'a/README.md', isPath)).toBeUndefined();
    expect(parseLineRule('May import: nothing of the project.', 'a', 'a/README.md', isPath)!.paths).toEqual([]);
  });

  it('parses rows of a table with a "may import" column, including `*` folders', () => {
    const md = ['| folder | owns | may import |', '|---|---|---|', '| `cluster/nodes/` | `x.ts` and `a \\| b` | `harness/common`, `@kubernetes/client-node` |', '| `bench/*/` | benches | `cluster/` |', '', '| command | what |', '|---|---|', '| `ebbflow x` | `harness/y` |'].join('\n');
    const rules = parseTableRules(md, 'cluster/README.md', isPath);
    expect(rules.map((r) => [r.folder, r.paths])).toEqual([
      ['cluster/nodes', ['harness/common']],
      ['bench/*', ['cluster']],
    ]);
    expect(ruleFor('bench/replay', rules, []).rule?.folder).toBe('bench/*');
    expect(ruleFor('bench/replay/deep', rules, []).rule).toBeUndefined();
  });

  it('reports a folder without a rule, with what it imports today, and two rules that differ', () => {
    const e = ruleFor('cluster/kube', [], ['cluster/local', 'harness/common']).error!;
    expect(e).toContain('cluster/kube/ holds TypeScript code but no README states what it may import');
    expect(e).toContain('"May import: `cluster/local`, `harness/common`." to cluster/kube/README.md');
    const a: Rule = { folder: 'x', paths: ['a'], names: ['a'], source: 'x/README.md', text: 'May import: `a`' };
    expect(ruleFor('x', [a, { ...a, paths: ['b'], source: 'README.md' }], []).error).toMatch(/two import rules that differ: x\/README\.md .* and README\.md/);
    expect(ruleFor('x', [a, { ...a, source: 'README.md' }], []).rule).toBe(a);
  });

  it('allows the own folder and named paths, on folder boundaries', () => {
    const r: Rule = { folder: 'simulator', paths: ['harness/timeline', 'cluster/nodes/config.ts'], names: [], source: 'simulator/README.md', text: 'May import: …' };
    expect(checkImport('simulator/a.ts', 'simulator/sub/b.ts', 'simulator', r)).toBeUndefined();
    expect(checkImport('simulator/a.ts', 'harness/timeline/format.ts', 'simulator', r)).toBeUndefined();
    expect(checkImport('simulator/a.ts', 'cluster/nodes/config.ts', 'simulator', r)).toBeUndefined();
    expect(checkImport('simulator/a.ts', 'cluster/nodes/latency.ts', 'simulator', r)).toBe('simulator/a.ts → cluster/nodes/latency.ts: not allowed by simulator/README.md (May import: …). If the dependency is intended, name `cluster/nodes` in that rule; otherwise remove the import.');
    expect(checkImport('simulator/a.ts', 'harness/timeline-extra/x.ts', 'simulator', r)).toBeDefined();
  });

  it('every name in a rule is a project path or a dependency in package.json', () => {
    const unknown = repoRules().flatMap((r) => r.names.filter((n) => !isProjectPath(n) && !packages.has(n)).map((n) => `${r.source}: \`${n}\` in "${r.text}" is neither a path in this repository nor a dependency in package.json`));
    expect(unknown).toEqual([]);
  });

  const result = checkRepository();
  it('every folder with TypeScript code states what it may import', () => {
    expect(result.missing).toEqual([]);
  });

  it('every import of every non-test .ts file is allowed by its folder\'s README', () => {
    expect(result.violations).toEqual([]);
  });
});
