import { describe, expect, it } from 'vitest';
import { sampleTimeline, twoWindowTimeline } from './fixtures.ts';
import { splitByWindow, timelineWindows, windowIndex, windowLabel, windowLabelIn, windowRanges } from './windows.ts';

const H = 3_600_000;

describe('replay windows', () => {
  it('one window for a timeline without gaps', () => {
    const tl = sampleTimeline();
    expect(timelineWindows(tl)).toEqual([{ start: tl.meta.start, end: tl.samples.at(-1)!.t }]);
  });

  it('splits the samples at a skipped gap when the meta record names no windows', () => {
    const w = timelineWindows(twoWindowTimeline()).map(windowLabel);
    expect(w).toEqual(['07:00–08:00', '20:01–21:00']);
  });

  it('uses the declared windows and merges touching ones', () => {
    const tl = twoWindowTimeline(true);
    expect(timelineWindows(tl).map(windowLabel)).toEqual(['07:00–08:00', '20:00–21:00']);
    const t0 = tl.meta.start;
    const touching = { ...tl, meta: { ...tl.meta, windows: [{ start: t0 + H, end: t0 + 2 * H }, { start: t0, end: t0 + H }] } };
    expect(timelineWindows(touching)).toEqual([{ start: t0, end: t0 + 2 * H }]);
  });

  it('assigns every point to one window: in the gap to the nearer one, outside to the first or last', () => {
    const ws = [{ start: 10 * H, end: 11 * H }, { start: 20 * H, end: 21 * H }];
    expect([9 * H, 10.5 * H, 11.2 * H, 15 * H, 19.9 * H, 20 * H, 22 * H].map((t) => windowIndex(ws, t))).toEqual([0, 0, 0, 0, 1, 1, 1]);
    const parts = splitByWindow(ws, [[9 * H, 1], [11.2 * H, 2], [20.5 * H, 3]] as [number, number][]);
    expect(parts.map((p) => p.map((x) => x[1]))).toEqual([[1, 2], [3]]);
    expect(windowRanges(ws, [9 * H, 11.2 * H])).toEqual([{ start: 9 * H, end: 11.2 * H }, ws[1]]);
  });

  it('labels a window crossing midnight with the extra day', () => {
    const t = Date.UTC(2026, 0, 1, 23);
    expect(windowLabel({ start: t, end: t + 2 * H })).toBe('23:00–01:00 (+1 d)');
    expect(windowLabel({ start: t - 30 * 60_000, end: t + H })).toBe('22:30–24:00');
    expect(windowLabel({ start: t, end: t + 49 * H })).toBe('23:00–24:00 (+2 d)');
  });

  it('labels windows on the scenario zone\'s clock, the zone named', () => {
    const day = Date.UTC(2026, 0, 4, 16); // 00:00 of 2026-01-05 in Shanghai
    const sh = windowLabelIn('Asia/Shanghai');
    expect(sh({ start: day + 6.5 * H, end: day + 8 * H })).toBe('06:30–08:00 Asia/Shanghai');
    expect(sh({ start: day + 22.5 * H, end: day + 24 * H })).toBe('22:30–24:00 Asia/Shanghai');
    expect(windowLabelIn('UTC')({ start: day + 6.5 * H, end: day + 8 * H })).toBe('22:30–24:00 UTC');
    expect(windowLabelIn('Asia/Shanghai', false)({ start: day, end: day + H })).toBe('00:00–01:00');
  });
});
