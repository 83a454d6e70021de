/**
 * The virtual clock of a compressed replay: t_v = t0 + k·(wall − wall0). Pure; the wall clock is
 * injected so tests and the simulator can drive it.
 */
export interface VirtualClock {
  readonly k: number;
  readonly t0: number;
  readonly wall0: number;
  /** Virtual epoch ms now. */
  now(): number;
  toVirtual(wallMs: number): number;
  toWall(virtualMs: number): number;
  /** Wall milliseconds for a virtual duration. */
  wallDuration(virtualMs: number): number;
}

export function createVirtualClock(opts: { k: number; t0: number; wall0?: number; wallNow?: () => number }): VirtualClock {
  const wallNow = opts.wallNow ?? Date.now;
  const wall0 = opts.wall0 ?? wallNow();
  const { k, t0 } = opts;
  if (!(k >= 1)) throw new Error(`compression factor must be ≥ 1, got ${k}`);
  return {
    k,
    t0,
    wall0,
    now: () => t0 + k * (wallNow() - wall0),
    toVirtual: (w) => t0 + k * (w - wall0),
    toWall: (v) => wall0 + (v - t0) / k,
    wallDuration: (v) => v / k,
  };
}
