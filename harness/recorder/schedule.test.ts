import { describe, expect, it } from 'vitest';
import { createSampleSchedule } from './schedule.ts';

describe('sample schedule', () => {
  it('returns every grid point that came due, with its lateness, never one twice', () => {
    const s = createSampleSchedule(15_000);
    expect(s.due(0, 0)).toEqual([{ t: 0, lateMs: 0 }]);
    expect(s.due(0, 10_000)).toEqual([]);
    expect(s.untilNext(10_000)).toBe(5_000);
    // A busy process came back 50 s late: the three points it missed are all there.
    expect(s.due(0, 61_000)).toEqual([
      { t: 15_000, lateMs: 46_000 },
      { t: 30_000, lateMs: 31_000 },
      { t: 45_000, lateMs: 16_000 },
      { t: 60_000, lateMs: 1_000 },
    ]);
    expect(s.due(0, 61_000)).toEqual([]);
  });

  it('restarts the grid at a new anchor (the next window) without filling the skipped gap', () => {
    const s = createSampleSchedule(15_000);
    s.due(0, 30_000);
    const later = 16 * 3_600_000;
    expect(s.due(later, later + 1_000)).toEqual([{ t: later, lateMs: 1_000 }]);
    expect(s.untilNext(later + 1_000)).toBe(14_000);
  });

  it('takes no point after the window end, however long the clock runs on', () => {
    const s = createSampleSchedule(15_000);
    expect(s.due(0, 100_000, 30_000).map((x) => x.t)).toEqual([0, 15_000, 30_000]);
    expect(s.due(0, 200_000, 30_000)).toEqual([]);
    expect(s.untilNext(200_000, 30_000)).toBe(Infinity);
  });

  it('refuses a non-positive interval', () => {
    expect(() => createSampleSchedule(0)).toThrow(/> 0 ms/);
  });
});
