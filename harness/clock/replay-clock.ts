import type { VirtualClock } from './clock.ts';

/**
 * The clock of a replay over several windows of one day: held at the first window's start while the
 * pipeline warms up, then t_v = start_i + k·(wall − wall0_i) inside window i; the gap between
 * windows is skipped (re-anchored), so the curve steps from one window's end to the next's start.
 */
export interface ReplayClock extends VirtualClock {
  /** Start (or jump to) window i now. */
  enter(i: number): void;
  readonly window: number;
  readonly running: boolean;
}

export function createReplayClock(opts: { k: number; windowStartsMs: number[]; wallNow?: () => number }): ReplayClock {
  const wallNow = opts.wallNow ?? Date.now;
  const k = opts.k;
  if (!(k >= 1)) throw new Error(`compression factor must be ≥ 1, got ${k}`);
  let i = 0;
  let t0 = opts.windowStartsMs[0]!;
  let wall0 = wallNow();
  let running = false;
  return {
    k,
    get t0() {
      return t0;
    },
    get wall0() {
      return wall0;
    },
    get window() {
      return i;
    },
    get running() {
      return running;
    },
    now: () => (running ? t0 + k * (wallNow() - wall0) : t0),
    toVirtual: (w) => (running ? t0 + k * (w - wall0) : t0),
    toWall: (v) => wall0 + (v - t0) / k,
    wallDuration: (v) => v / k,
    enter(n: number) {
      if (n < 0 || n >= opts.windowStartsMs.length) throw new Error(`no window ${n}`);
      i = n;
      t0 = opts.windowStartsMs[n]!;
      wall0 = wallNow();
      running = true;
    },
  };
}
