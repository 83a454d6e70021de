import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The import rules the module READMEs state, checked against the real import graph.
 *
 * A rule is either a sentence in a folder's README.md —
 *     May import: `harness/timeline`, `harness/common` (why), `echarts`. Imported by: …
 * (from "May import:" to the first full stop outside parentheses and backticks) — or a row of a
 * Markdown table, in any README, whose header has a "may import" column and whose first cell is a
 * folder, e.g.
 *     | `nodes/` | what it owns | `harness/common`, `@kubernetes/client-node` |
 * A first cell may use `*` for one path segment (`bench/*` covers bench/replay). Backticked names are
 * project paths, from the repository root or else from the README's folder (`nodes/` in
 * cluster/README.md is cluster/nodes; a folder allows everything under it, a file only itself), or
 * npm packages (documentation only: the graph checked here is the project's own). A rule without a project path
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
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Resolves a rule's name to a repository path: from the root, else from the README's folder. */
export type Resolve = (name: string, readmeFolder: string) => string | undefined;

/** Text up to the first full stop outside parentheses and backticks (names like `split.ts` hold dots). */
export function firstSentence(text: string): string {
  let depth = 0;
  let tick = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '`') tick = !tick;
    else if (!tick && c === '(') depth++;
    else if (!tick && c === ')') depth = Math.max(0, depth - 1);
    else if (!tick && depth === 0 && c === '.' && (i + 1 === text.length || /\s/.test(text[i + 1]!))) return text.slice(0, i + 1);
  }
  return text;
}

function makeRule(folder: string, cell: string, source: string, text: string, resolve: Resolve, readmeFolder: string): Rule {
  const names = backticked(cell);
  const paths = names.map((n) => resolve(n, readmeFolder)).filter((p): p is string => p !== undefined);
  return { folder, names, paths, source, text };
}

/** The "May import:" sentence of a README, if any. */
export function parseLineRule(readme: string, folder: string, source: string, resolve: Resolve): Rule | undefined {
  const m = /(?:^|\n)[ \t]*May import:([\s\S]*?)(?:\n[ \t]*\n|$)/i.exec(readme);
  if (!m) return undefined;
  const text = flat(firstSentence(m[1]!.split(/Imported by:/i)[0]!));
  return makeRule(folder, text, source, `May import: ${text}`, resolve, folder);
}

/** Rows of every table with a "may import" column. */
export function parseTableRules(readme: string, readmeFolder: string, source: string, resolve: Resolve): Rule[] {
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
    const f = trimSlash(folder);
    const full = readmeFolder === '' || within(f, readmeFolder) ? f : `${readmeFolder}/${f}`;
    rules.push(makeRule(full, cells[col]!, source, `| ${cells[0]} | … | ${cells[col]} |`, resolve, readmeFolder));
  }
  return rules;
}

const matchesFolder = (pattern: string, folder: string) => {
  const p = pattern.split('/');
  const f = folder.split('/');
  return p.length === f.length && p.every((seg, i) => seg === '*' || seg === f[i]);
};

function folderOf(f: string): string {
  return posix.dirname(f) === '.' ? '' : posix.dirname(f);
}

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
// Floors (the root README's table) and file cycles.

export interface Floor { pattern: string; floor: number }

/** The rows of the root README's "floor | folders" table: every backticked folder of a row. */
export function parseFloors(readme: string): Floor[] {
  const out: Floor[] = [];
  let inTable = false;
  for (const line of readme.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('|')) {
      inTable = false;
      continue;
    }
    const cells = t.replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
    if (/^floor$/i.test(cells[0] ?? '')) {
      inTable = true;
      continue;
    }
    if (!inTable || !/^\d+$/.test(cells[0] ?? '')) continue;
    // Only the names before the first parenthesis are folders; the rest is commentary.
    const names = backticked((cells[1] ?? '').split('(')[0]!);
    for (const n of names) out.push({ pattern: trimSlash(n), floor: Number(cells[0]) });
  }
  return out;
}

/** The floor of a folder: the longest matching pattern (`*` is one segment), or undefined. */
export function floorOf(folder: string, floors: Floor[]): Floor | undefined {
  const matches = floors.filter((f) => {
    const p = f.pattern.split('/');
    const d = folder.split('/');
    return p.length <= d.length && p.every((seg, i) => seg === '*' || seg === d[i]);
  });
  return matches.sort((a, b) => b.pattern.split('/').length - a.pattern.split('/').length || a.pattern.localeCompare(b.pattern))[0];
}

/** The error for an import between two folders, or undefined when the target's floor is below. */
export function checkFloor(file: string, target: string, floors: Floor[]): string | undefined {
  const from = floorOf(folderOf(file), floors);
  const to = floorOf(folderOf(target), floors);
  if (folderOf(file) === folderOf(target)) return undefined;
  if (!from) return `${folderOf(file)}/ is on no floor: add it to the floors table of README.md`;
  if (!to) return `${folderOf(target)}/ is on no floor: add it to the floors table of README.md`;
  if (to.floor < from.floor) return undefined;
  const where = to.floor === from.floor ? 'the same floor' : 'a floor above';
  return `${file} (floor ${from.floor}) → ${target} (floor ${to.floor}): an import from ${where}. Move what is shared down a floor, or the importer up.`;
}

/** Strongly connected components with more than one file (Tarjan), each sorted. */
export function fileCycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
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
const resolveInRepo: Resolve = (name, readmeFolder) => {
  const p = trimSlash(name);
  if (p === '' || /\s/.test(p)) return undefined;
  return [p, readmeFolder ? `${readmeFolder}/${p}` : p].find((c) => existsSync(join(ROOT, c)));
};
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: object; devDependencies?: object };
const packages = new Set([...Object.keys(packageJson.dependencies ?? {}), ...Object.keys(packageJson.devDependencies ?? {}), ...builtinModules]);

function repoRules(): Rule[] {
  const rules: Rule[] = [];
  for (const readme of files.filter((f) => f === 'README.md' || f.endsWith('/README.md'))) {
    const text = readFileSync(join(ROOT, readme), 'utf8');
    const folder = posix.dirname(readme) === '.' ? '' : posix.dirname(readme);
    const line = parseLineRule(text, folder, readme, resolveInRepo);
    if (line && folder !== '') rules.push(line);
    rules.push(...parseTableRules(text, folder, readme, resolveInRepo));
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
  const known = new Set(['harness/timeline', 'cluster/local/api-client.ts', 'cluster/nodes', 'harness/common', 'cluster', 'bench/stats.ts']);
  const resolve: Resolve = (n, folder) => [trimSlash(n), `${folder}/${trimSlash(n)}`].find((c) => known.has(c));

  it('parses a README line rule up to "Imported by:" and across lines', () => {
    const r = parseLineRule('# x\n\nSome text.\n\nMay import: `harness/timeline`, `echarts` (inlined, e.g. here),\n`cluster/local/api-client.ts` (clients). Imported by: `bench/`.\n\nMore.', 'reports', 'reports/README.md', resolve)!;
    expect(r.paths).toEqual(['harness/timeline', 'cluster/local/api-client.ts']);
    expect(r.names).toEqual(['harness/timeline', 'echarts', 'cluster/local/api-client.ts']);
    expect(r.text).toBe('May import: `harness/timeline`, `echarts` (inlined, e.g. here), `cluster/local/api-client.ts` (clients).');
    const next = parseLineRule('May import: `harness/common`, `cluster/`.\n`x.ts` itself imports only `harness/timeline`.', 'a', 'a/README.md', resolve)!;
    expect(next.names).toEqual(['harness/common', 'cluster/']);
    expect(parseLineRule('# x\n\nAnyone may import it.\n', 'a', 'a/README.md', resolve)).toBeUndefined();
    expect(parseLineRule('May import: nothing of the project.', 'a', 'a/README.md', resolve)!.paths).toEqual([]);
    expect(firstSentence('`a.ts` (b. c) d. e.')).toBe('`a.ts` (b. c) d.');
  });

  it('parses rows of a table with a "may import" column, including `*` folders', () => {
    const md = ['| folder | owns | may import |', '|---|---|---|', '| `nodes/` | `x.ts` and `a \\| b` | `harness/common`, `@kubernetes/client-node`, `local/api-client.ts` |', '| `cluster/local/` | the plane | `nodes/` |', '', '| command | what |', '|---|---|', '| `ebbflow x` | `harness/y` |'].join('\n');
    expect(parseTableRules(md, 'cluster', 'cluster/README.md', resolve).map((r) => [r.folder, r.paths])).toEqual([
      ['cluster/nodes', ['harness/common', 'cluster/local/api-client.ts']],
      ['cluster/local', ['cluster/nodes']],
    ]);
    const rules = parseTableRules('| folder | may import |\n|---|---|\n| `bench/*/` | `bench/stats.ts`, `cluster/` |', 'bench', 'bench/README.md', resolve);
    expect(rules.map((r) => [r.folder, r.paths])).toEqual([['bench/*', ['bench/stats.ts', 'cluster']]]);
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
    const unknown = repoRules().flatMap((r) => r.names.filter((n) => !resolveInRepo(n, posix.dirname(r.source) === '.' ? '' : posix.dirname(r.source)) && !packages.has(n)).map((n) => `${r.source}: \`${n}\` in "${r.text}" is neither a path in this repository nor a dependency in package.json`));
    expect(unknown).toEqual([]);
  });

  const result = checkRepository();
  it('every folder with TypeScript code states what it may import', () => {
    expect(result.missing).toEqual([]);
  });

  it('every import of every non-test .ts file is allowed by its folder\'s README', () => {
    expect(result.violations).toEqual([]);
  });

  it('reads the floors table and places folders by their longest pattern', () => {
    const md = ['| floor | folders |', '|---|---|', '| 0 | `core/` (the ground floor, not `x/`) |', '| 3 | `harness/`, `cluster/local/` |', '| 4 | `harness/replay/` |', '| 9 | `bench/*/` |', '', '| floor | x |'].join('\n');
    const floors = parseFloors(md);
    expect(floors).toEqual([{ pattern: 'core', floor: 0 }, { pattern: 'harness', floor: 3 }, { pattern: 'cluster/local', floor: 3 }, { pattern: 'harness/replay', floor: 4 }, { pattern: 'bench/*', floor: 9 }]);
    expect(floorOf('core/timeline', floors)?.floor).toBe(0);
    expect(floorOf('harness/replay/components', floors)?.floor).toBe(4);
    expect(floorOf('bench/replay', floors)?.floor).toBe(9);
    expect(floorOf('bench', floors)).toBeUndefined();
    expect(checkFloor('harness/replay/engine.ts', 'core/errors.ts', floors)).toBeUndefined();
    expect(checkFloor('harness/replay/engine.ts', 'harness/replay/clock.ts', floors)).toBeUndefined();
    expect(checkFloor('core/errors.ts', 'harness/replay/clock.ts', floors)).toMatch(/an import from a floor above/);
    expect(checkFloor('harness/recorder/r.ts', 'cluster/local/x.ts', floors)).toMatch(/from the same floor/);
    expect(checkFloor('scenarios/x.ts', 'core/errors.ts', floors)).toMatch(/scenarios\/ is on no floor/);
  });

  it('finds file cycles', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']], ['e', ['e2']], ['e2', []]]);
    expect(fileCycles(g)).toEqual([['a', 'b', 'c']]);
  });

  const floors = parseFloors(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  const graph = new Map(sourceFiles.map((f) => [f, projectImports(f).filter((t) => sourceFiles.includes(t))]));

  it('every folder imports only from floors below its own (README.md "Floors")', () => {
    const errors = [...new Set([...graph].flatMap(([f, targets]) => targets.map((t) => checkFloor(f, t, floors)).filter((e): e is string => e !== undefined)))];
    expect(errors).toEqual([]);
  });

  it('no two source files import each other in a circle', () => {
    expect(fileCycles(graph)).toEqual([]);
  });
});
