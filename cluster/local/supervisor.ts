import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../../core/wait.ts';

/**
 * The one place that starts, records and stops long-running processes of ebbflow (the per-cluster
 * agent, Prometheus, prometheus-adapter). kwokctl keeps managing its own control-plane processes.
 *
 * A process is recorded as pid + start time (field 22 of /proc/<pid>/stat, clock ticks since boot)
 * + label. A pid alone is not proof of identity: after a crash the pid may belong to any process of
 * the user. Every signal goes through `stopRecorded`, which signals only while the recorded start
 * time still matches, so a reused pid, or a record written by someone else, is never signalled.
 */
export interface ProcessRecord {
  label: string;
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22). */
  startTime: number;
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Field 22 of /proc/<pid>/stat, or undefined when the process is gone, a zombie, or /proc is absent. */
export function processStartTime(pid: number): number | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseStatStartTime(stat);
}

/** Start time from the text of /proc/<pid>/stat; undefined for a zombie or a malformed line. */
export function parseStatStartTime(stat: string): number | undefined {
  return parseStat(stat)?.startTime;
}

/** Parent pid (field 4) and start time (field 22) of a live process's /proc/<pid>/stat text. */
export function parseStat(stat: string): { ppid: number; startTime: number } | undefined {
  // Field 2 (comm) is in parentheses and may hold spaces and ')': fields 3.. follow the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (rest[0] === 'Z' || rest[0] === 'X') return undefined;
  const ppid = Number(rest[1]);
  const t = Number(rest[19]);
  return Number.isInteger(t) && Number.isInteger(ppid) && rest.length > 19 ? { ppid, startTime: t } : undefined;
}

export interface ProcessEntry {
  pid: number;
  ppid: number;
  startTime: number;
}

/** Every live process of the machine (that /proc shows us), with parent and start time. */
export function processTable(): ProcessEntry[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  const out: ProcessEntry[] = [];
  for (const d of pids) {
    try {
      const st = parseStat(readFileSync(`/proc/${d}/stat`, 'utf8'));
      if (st) out.push({ pid: Number(d), ...st });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/**
 * The descendants of a recorded process, from a process table: children, their children, ... A
 * child cannot be older than its parent, so an older entry under a reused parent pid is left out.
 */
export function descendantsOf(root: Pick<ProcessRecord, 'pid' | 'startTime'>, table: ProcessEntry[]): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const p of table) {
      if (p.ppid === parent.pid && p.startTime >= parent.startTime && !out.some((o) => o.pid === p.pid)) {
        out.push(p);
        queue.push(p);
      }
    }
  }
  return out;
}

/** A process's command line (argv), or undefined when it is gone or unreadable. */
export function commandLine(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw === '' ? undefined : raw.replace(/\0$/, '').split('\0');
  } catch {
    return undefined;
  }
}

/** True only when the recorded process is still the one running under that pid. */
export function isRecordedProcess(r: Pick<ProcessRecord, 'pid' | 'startTime'>): boolean {
  return r.pid !== process.pid && processStartTime(r.pid) === r.startTime;
}

/** A record of a process that runs now (for a pid another tool started and we watched appear). */
export function recordOf(label: string, pid: number): ProcessRecord | undefined {
  const startTime = processStartTime(pid);
  return startTime === undefined ? undefined : { label, pid, startTime };
}

async function waitGone(r: ProcessRecord, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (isRecordedProcess(r)) {
    if (Date.now() > end) return false;
    await sleep(25);
  }
  return true;
}

/** Sends `sig` only while the recorded process still runs under that pid (see `stopRecorded`). */
export function signalRecorded(r: ProcessRecord, sig: NodeJS.Signals): void {
  send(r, sig);
}

function send(r: ProcessRecord, sig: NodeJS.Signals): void {
  // Checked right before each signal: the window for a pid reuse is this one line.
  if (!isRecordedProcess(r)) return;
  try {
    process.kill(r.pid, sig);
  } catch {
    /* gone meanwhile */
  }
}

export type StopOutcome = 'not-running' | 'stopped' | 'killed' | 'stuck';

/** SIGTERM, then SIGKILL after `graceMs`; never signals a process whose start time differs. */
export async function stopRecorded(r: ProcessRecord, graceMs = 5000): Promise<StopOutcome> {
  if (!isRecordedProcess(r)) return 'not-running';
  send(r, 'SIGTERM');
  if (await waitGone(r, graceMs)) return 'stopped';
  send(r, 'SIGKILL');
  return (await waitGone(r, 3000)) ? 'killed' : 'stuck';
}

/** SIGKILL at once (a process with nothing to save, e.g. a frozen `kwokctl create`), then waits for it. */
export async function killRecorded(r: ProcessRecord): Promise<StopOutcome> {
  if (!isRecordedProcess(r)) return 'not-running';
  send(r, 'SIGKILL');
  return (await waitGone(r, 3000)) ? 'killed' : 'stuck';
}

export interface SpawnOptions {
  label: string;
  bin: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Outlives this process (own session, not waited for), e.g. the cluster agent. */
  detached?: boolean;
}

export interface Supervised extends ProcessRecord {
  logFile: string;
  logTail(lines?: number): string;
  /** Stops the process (TERM, then KILL) and forgets its record. Safe to call more than once. */
  stop(graceMs?: number): Promise<StopOutcome>;
}

/** Processes recorded in one directory, one `<label>.json` each. */
export class Supervisor {
  constructor(readonly dir: string) {}

  spawn(o: SpawnOptions): Supervised {
    if (!LABEL.test(o.label)) throw new Error(`process label "${o.label}" is not [a-z0-9-]`);
    mkdirSync(this.dir, { recursive: true });
    const fd = openSync(o.logFile, 'a');
    const child = spawn(o.bin, o.args, { stdio: ['ignore', fd, fd], env: o.env ?? process.env, cwd: o.cwd, detached: o.detached ?? false });
    closeSync(fd);
    if (o.detached) child.unref();
    const startTime = child.pid === undefined ? undefined : processStartTime(child.pid);
    if (child.pid === undefined || startTime === undefined) throw new Error(`could not start ${o.label} (${o.bin}); see ${o.logFile}`);
    const rec: ProcessRecord = { label: o.label, pid: child.pid, startTime };
    this.write(rec);
    return {
      ...rec,
      logFile: o.logFile,
      logTail: (lines = 20) => tail(o.logFile, lines),
      stop: async (graceMs?: number) => {
        const outcome = await stopRecorded(rec, graceMs);
        if (outcome !== 'stuck') this.forget(rec);
        return outcome;
      },
    };
  }

  /** Records a process some other tool started, if it runs now. */
  adopt(label: string, pid: number): ProcessRecord | undefined {
    if (!LABEL.test(label)) return undefined;
    const known = this.read(label);
    if (known?.pid === pid) return known;
    const rec = recordOf(label, pid);
    if (rec) this.write(rec);
    return rec;
  }

  read(label: string): ProcessRecord | undefined {
    return this.list().find((r) => r.label === label);
  }

  list(): ProcessRecord[] {
    if (!existsSync(this.dir)) return [];
    const out: ProcessRecord[] = [];
    for (const f of readdirSync(this.dir)) {
      if (!f.endsWith('.json')) continue;
      const r = parseRecord(join(this.dir, f));
      if (r && `${r.label}.json` === f) out.push(r);
    }
    return out;
  }

  /** Stops every recorded process (in parallel); returns the labels that did not stop. */
  async stopAll(opts: { except?: string[]; graceMs?: number } = {}): Promise<string[]> {
    const recs = this.list().filter((r) => !opts.except?.includes(r.label));
    const outcomes = await Promise.all(recs.map(async (r) => [r, await stopRecorded(r, opts.graceMs)] as const));
    const stuck = outcomes.filter(([, o]) => o === 'stuck').map(([r]) => r);
    for (const [r, o] of outcomes) if (o !== 'stuck') this.forget(r);
    return stuck.map((r) => `${r.label} (pid ${r.pid})`);
  }

  private write(r: ProcessRecord): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, `${r.label}.json`), JSON.stringify(r) + '\n');
  }

  /** Drops the record of `r` (only while it still names that pid). */
  forget(r: ProcessRecord): void {
    const cur = this.read(r.label);
    if (cur?.pid === r.pid) rmSync(join(this.dir, `${r.label}.json`), { force: true });
  }
}

function parseRecord(file: string): ProcessRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as Partial<ProcessRecord>;
    if (typeof r.label === 'string' && LABEL.test(r.label) && Number.isInteger(r.pid) && r.pid! > 0 && Number.isInteger(r.startTime)) {
      return { label: r.label, pid: r.pid!, startTime: r.startTime! };
    }
  } catch {
    /* a broken record proves nothing: ignored */
  }
  return undefined;
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
