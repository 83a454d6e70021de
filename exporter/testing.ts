import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Clock, PollEvent } from './poller.ts';

/**
 * Test support: a clock that only moves when told, and a log of poll cycles to wait on, so tests
 * synchronise on acknowledgements instead of sleeping.
 */
export class ManualClock implements Clock {
  private wall: number;
  private mono = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.wall = start;
  }
  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return this.mono;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.mono + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Timers scheduled and not yet fired. */
  pending(): number {
    return this.timers.size;
  }
  /** Moves both clocks forward by ms, firing due timers in time order (also ones they schedule). */
  advance(ms: number): void {
    const end = this.mono + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.wall += next[1].at - this.mono;
      this.mono = next[1].at;
      next[1].fn();
    }
    this.wall += end - this.mono;
    this.mono = end;
  }
}

/** Collects poll cycles; `next` resolves at the next cycle that matches. */
export class PollLog {
  readonly events: PollEvent[] = [];
  private waiters: { match: (e: PollEvent) => boolean; resolve: (e: PollEvent) => void }[] = [];
  private readonly listeners: ((e: PollEvent) => void)[] = [];
  readonly push = (e: PollEvent): void => {
    this.events.push(e);
    for (const l of this.listeners) l(e);
    const hit = this.waiters.filter((w) => w.match(e));
    this.waiters = this.waiters.filter((w) => !w.match(e));
    for (const w of hit) w.resolve(e);
  };
  /** Calls `fn` after every cycle from now on. */
  each(fn: (e: PollEvent) => void): void {
    this.listeners.push(fn);
  }
  next(what: string, match: (e: PollEvent) => boolean = () => true, timeoutMs = 10_000): Promise<PollEvent> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no poll cycle ${what} within ${timeoutMs / 1000}s; cycles so far: ${JSON.stringify(this.events.slice(-5))}`)), timeoutMs);
      this.waiters.push({ match, resolve: (e) => (clearTimeout(t), resolve(e)) });
    });
  }
  /** Resolves after `n` more cycles (of any outcome) have ended. */
  async cycles(n: number): Promise<PollEvent> {
    let e: PollEvent | undefined;
    for (let i = 0; i < n; i++) e = await this.next(`#${i + 1} of ${n}`);
    return e!;
  }
}

/** The image's entry (`main.ts`) as its own process, the way a pod runs it. */
export interface MainProcess {
  /** Resolves when the process exits, with its code and everything it wrote to stderr. */
  exited: Promise<{ code: number | null; stderr: string }>;
  /** Resolves with the port once the exporter logged that it serves. */
  port(): Promise<number>;
  stop(): Promise<void>;
}

/** `entry`: the exporter's `main.ts`, or the KEDA scaler's `keda-main.ts` (which logs the same serving line). */
export function spawnMain(configFile: string, env: NodeJS.ProcessEnv, entry: './main.ts' | './keda-main.ts' = './main.ts'): MainProcess {
  const main = fileURLToPath(new URL(entry, import.meta.url));
  const proc = spawn(process.execPath, ['--import', 'tsx', main, '--config', configFile], { env: { PATH: process.env.PATH, EBBFLOW_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let onPort: ((p: number) => void) | undefined;
  const portSeen = new Promise<number>((r) => (onPort = r));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    const m = /"port":(\d+)[^\n]*sls exporter serving/.exec(stderr);
    if (m) onPort?.(Number(m[1]));
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((r) => proc.once('exit', (code) => r({ code, stderr })));
  return {
    exited,
    port: () => Promise.race([portSeen, exited.then((x) => Promise.reject(new Error(`exporter exited ${x.code} before serving:\n${x.stderr}`)))]),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
