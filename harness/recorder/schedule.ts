/**
 * When the recorder samples: on a grid of virtual times anchored at the clock's origin (a window's
 * start), never skipping a grid point. A wall-clock interval timer drops ticks when the process is
 * busy, and under high compression the wall interval (15 s / k) is shorter than a timer can hold,
 * so samples were lost; here every point that came due is returned, each with how late it was read.
 * A re-anchored clock (the replay jumped to the next window) restarts the grid: the skipped hours
 * between windows were not observed and get no samples. Pure: the recorder feeds it the clock.
 */
export interface SampleSchedule {
  /**
   * The grid points due at virtual time `now` (clock origin `anchor`), oldest first, each once;
   * none after `end` (the window's end: the clock runs on past it until the replay stops).
   */
  due(anchor: number, now: number, end?: number): { t: number; lateMs: number }[];
  /** Virtual ms until the next grid point (0 when one is due; Infinity when it lies after `end`). */
  untilNext(now: number, end?: number): number;
}

export function createSampleSchedule(intervalMs: number): SampleSchedule {
  if (!(intervalMs > 0)) throw new Error(`sample interval must be > 0 ms, got ${intervalMs}`);
  let anchor: number | undefined;
  let next = 0;
  return {
    due(a, now, end = Infinity) {
      if (anchor !== a) {
        anchor = a;
        next = a;
      }
      const out: { t: number; lateMs: number }[] = [];
      for (; next <= Math.min(now, end); next += intervalMs) out.push({ t: next, lateMs: now - next });
      return out;
    },
    untilNext: (now, end = Infinity) => (next > end ? Infinity : Math.max(0, next - now)),
  };
}
