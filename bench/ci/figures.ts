/**
 * The figures of one test run, pure: per-file wall times (what a file cost the run, from the moment
 * vitest queued it to its end: its fork, imports, hooks — cluster starts included — and tests),
 * sorted, the total, and a side-by-side against a saved baseline run.
 */

export interface FileFigure {
  /** Path relative to the repository root. */
  file: string;
  project: string;
  /** Wall seconds from queued to ended, as the vitest process saw them. */
  seconds: number;
  /** Seconds the worker spent in hooks and tests (vitest's `diagnostic().duration`). */
  hooksAndTests: number;
  state: string;
  tests: { passed: number; failed: number; skipped: number };
}

export interface RunFigures {
  kind: 'ebbflow-bench-ci';
  measuredAt: string;
  /** What was run: vitest's arguments after `run`. */
  args: string[];
  /** Wall seconds of the whole vitest process, global setups and teardowns included. */
  totalSeconds: number;
  exitCode: number;
  load: { loadAvgMean: number; loadAvgMax: number; busyMean: number };
  files: FileFigure[];
}

export function isRunFigures(x: unknown): x is RunFigures {
  const r = x as Partial<RunFigures> | null;
  return !!r && r.kind === 'ebbflow-bench-ci' && Array.isArray(r.files) && typeof r.totalSeconds === 'number';
}

/** Slowest first; equal times by name, so two runs print in a stable order. */
export function sortedFiles(files: readonly FileFigure[]): FileFigure[] {
  return [...files].sort((a, b) => b.seconds - a.seconds || a.file.localeCompare(b.file));
}

export interface ComparedRow {
  file: string;
  before: number | undefined;
  after: number | undefined;
  /** after − before, when both ran. */
  delta: number | undefined;
}

/**
 * One row per file of either run (a file only in one of them shows `—` on the other side), in the
 * order of the current run's slowest first, then the files only the baseline had.
 */
export function compareRuns(after: RunFigures, before: RunFigures): { rows: ComparedRow[]; total: ComparedRow; filesSum: ComparedRow } {
  const was = new Map(before.files.map((f) => [f.file, f.seconds]));
  const rows: ComparedRow[] = sortedFiles(after.files).map((f) => {
    const b = was.get(f.file);
    return { file: f.file, before: b, after: f.seconds, delta: b === undefined ? undefined : f.seconds - b };
  });
  const now = new Set(after.files.map((f) => f.file));
  for (const f of sortedFiles(before.files)) if (!now.has(f.file)) rows.push({ file: f.file, before: f.seconds, after: undefined, delta: undefined });
  const sum = (fs: readonly FileFigure[]) => fs.reduce((a, f) => a + f.seconds, 0);
  const row = (file: string, b: number, a: number): ComparedRow => ({ file, before: b, after: a, delta: a - b });
  return { rows, total: row('total (vitest process)', before.totalSeconds, after.totalSeconds), filesSum: row('sum of files', sum(before.files), sum(after.files)) };
}

const secs = (x: number | undefined) => (x === undefined ? '—' : `${x.toFixed(1)} s`);
const signed = (x: number | undefined) => (x === undefined ? '' : `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(1)} s`);
const ratio = (r: ComparedRow) => (r.before && r.after !== undefined ? `×${(r.after / r.before).toFixed(2)}` : '');

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function loadLine(label: string, r: RunFigures): string {
  return `${label}${r.measuredAt}, load average mean ${r.load.loadAvgMean.toFixed(1)} / max ${r.load.loadAvgMax.toFixed(1)}, cores busy ${r.load.busyMean.toFixed(0)} %, exit ${r.exitCode}`;
}

/** The printed report: the run's files slowest first with the total, or both runs side by side. */
export function formatRun(run: RunFigures, baseline?: RunFigures): string {
  if (!baseline) {
    const rows = sortedFiles(run.files).map((f) => [f.file, secs(f.seconds), secs(f.hooksAndTests), f.state, `${f.tests.passed}/${f.tests.passed + f.tests.failed + f.tests.skipped}`]);
    const sum = run.files.reduce((a, f) => a + f.seconds, 0);
    rows.push(['sum of files', secs(sum), '', '', ''], ['total (vitest process)', secs(run.totalSeconds), '', '', '']);
    return `${table(['file', 'wall', 'hooks+tests', 'state', 'passed'], rows)}\n${loadLine('', run)}`;
  }
  const c = compareRuns(run, baseline);
  const rows = [...c.rows, c.filesSum, c.total].map((r) => [r.file, secs(r.before), secs(r.after), signed(r.delta), ratio(r)]);
  return `${table(['file', 'baseline', 'this run', 'Δ', 'ratio'], rows)}\n${loadLine('baseline: ', baseline)}\n${loadLine('this run: ', run)}`;
}
