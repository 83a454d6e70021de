import { afterEach, describe, expect, it, vi } from 'vitest';
import { CronEngine } from './engine.ts';
import { parseSchedule } from './schedule.ts';

const at = (iso: string) => Date.parse(iso);

function engine(now: { t: number }) {
  const fired: [string, number][] = [];
  const e = new CronEngine<string>({ clock: { now: () => now.t }, timeZone: 'UTC', run: (job, t) => void fired.push([job, t]) });
  return { e, fired };
}

describe('CronEngine (go-cron Cron.run)', () => {
  afterEach(() => void vi.useRealTimers());

  it('fires at the scheduled second, not before, and computes the next from now', () => {
    const now = { t: at('2024-05-06T07:59:58Z') };
    const { e, fired } = engine(now);
    e.add('a', parseSchedule('0 0 8 * * *'), 'up');
    expect(e.tick()).toBe(0);
    now.t = at('2024-05-06T08:00:00Z');
    expect(e.tick()).toBe(1);
    expect(fired).toEqual([['up', now.t]]);
    expect(e.list()[0]!.next).toBe(at('2024-05-07T08:00:00Z'));
  });

  it('collapses firings missed while the clock jumped into one (a replay skipping to its next window)', () => {
    const now = { t: at('2024-05-06T00:00:00Z') };
    const { e, fired } = engine(now);
    e.add('a', parseSchedule('0 */10 * * * *'), 'every10');
    now.t = at('2024-05-06T05:00:00Z');
    e.tick();
    expect(fired).toHaveLength(1);
    expect(e.list()[0]!.next).toBe(at('2024-05-06T05:10:00Z'));
  });

  it('runs due entries earliest first and not a removed one', () => {
    const now = { t: at('2024-05-06T00:00:00Z') };
    const { e, fired } = engine(now);
    e.add('b', parseSchedule('0 0 2 * * *'), 'two');
    e.add('a', parseSchedule('0 0 1 * * *'), 'one');
    e.add('c', parseSchedule('0 0 1 * * *'), 'gone');
    e.remove('c');
    now.t = at('2024-05-06T03:00:00Z');
    e.tick();
    expect(fired.map(([j]) => j)).toEqual(['one', 'two']);
  });

  it('waits on the wall clock for the virtual firing time (k = 60: one virtual minute per wall second)', async () => {
    vi.useFakeTimers({ now: 0 });
    const t0 = at('2024-05-06T07:55:00Z');
    const k = 60;
    const clock = { now: () => t0 + k * Date.now(), toWall: (v: number) => (v - t0) / k };
    const fired: number[] = [];
    const e = new CronEngine<string>({ clock, timeZone: 'UTC', run: (_j, t) => void fired.push(t), maxWaitMs: 60_000 });
    e.add('a', parseSchedule('0 0 8 * * *'), 'up');
    e.start();
    await vi.advanceTimersByTimeAsync(4_990);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(20);
    expect(fired).toHaveLength(1);
    expect(fired[0]! - at('2024-05-06T08:00:00Z')).toBeLessThan(k * 20);
    e.stop();
  });

  it('a held clock (warm-up) fires nothing, and what came due fires once it runs', async () => {
    vi.useFakeTimers({ now: 0 });
    const t0 = at('2024-05-06T07:59:59Z');
    let running = false;
    let wall0 = 0;
    let reads = 0;
    const clock = { now: () => (reads++, running ? t0 + (Date.now() - wall0) : t0), toWall: (v: number) => wall0 + (v - t0) };
    const fired: number[] = [];
    const e = new CronEngine<string>({ clock, timeZone: 'UTC', run: (_j, t) => void fired.push(t) });
    e.add('a', parseSchedule('0 0 8 * * *'), 'up');
    e.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fired).toEqual([]);
    // Held 4 s past the firing's wall time: looked at every 50 ms, not spinning.
    expect(reads).toBeLessThan(250);
    running = true;
    wall0 = Date.now();
    await vi.advanceTimersByTimeAsync(1_300);
    expect(fired).toHaveLength(1);
    e.stop();
  });
});
