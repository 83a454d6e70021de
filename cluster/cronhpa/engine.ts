import { nextFire, type CronSchedule } from './schedule.ts';

/**
 * The cron engine, re-expressed from the one upstream runs (github.com/ringtail/go-cron cron.go
 * `Cron.run` at cfb21c105f50) on an injectable clock, so a replay's compressed virtual time drives it:
 *
 * - an entry's next firing is computed from now when it is added (cron.go:240-244);
 * - one timer waits for the earliest entry; on waking, every entry whose next firing is not after
 *   now runs once and its next firing is computed from now (cron.go:228-238). Firings missed while
 *   the clock jumped (a replay skipping the gap between windows, a suspended process) therefore
 *   collapse into one, as upstream's do;
 * - an entry that never fires again (`nextFire` gave up) sleeps (cron.go:218-221).
 *
 * The clock is virtual: the timer is set for the wall time of the next firing (`toWall`), capped at
 * `maxWaitMs` so a clock that is held or jumps (the replay's warm-up, its windows) is looked at again
 * soon; every wake re-reads `now()`, so an early wake runs nothing, and a clock held past the
 * firing's wall time is looked at every 50 ms.
 */

export interface EngineClock {
  /** Virtual epoch ms now. */
  now(): number;
  /** The wall epoch ms at which the clock reads `virtualMs`; identity for a real-time clock. */
  toWall?(virtualMs: number): number;
}

export interface EngineOptions<J> {
  clock: EngineClock;
  timeZone: string;
  /** Called once per firing, synchronously; what it starts runs on its own (upstream: a goroutine). */
  run(job: J, firedAt: number): void;
  /** Longest wall wait between looks at the clock (default 250 ms). */
  maxWaitMs?: number;
  wallNow?: () => number;
}

interface Entry<J> {
  id: string;
  schedule: CronSchedule;
  job: J;
  next: number | undefined;
  prev: number | undefined;
}

const HELD_POLL_MS = 50;

export class CronEngine<J> {
  private readonly entries = new Map<string, Entry<J>>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly wallNow: () => number;

  constructor(private readonly o: EngineOptions<J>) {
    this.wallNow = o.wallNow ?? Date.now;
  }

  /** cron.go `AddJob` + the run loop's `add` case: the next firing is the first after now. */
  add(id: string, schedule: CronSchedule, job: J): void {
    this.entries.set(id, { id, schedule, job, next: nextFire(schedule, this.o.clock.now(), this.o.timeZone), prev: undefined });
    this.arm();
  }

  remove(id: string): void {
    this.entries.delete(id);
    this.arm();
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** The entries, earliest next firing first (cron.go `Entries`). */
  list(): { id: string; job: J; next: number | undefined; prev: number | undefined }[] {
    return [...this.entries.values()].sort(byNext).map(({ id, job, next, prev }) => ({ id, job, next, prev }));
  }

  start(): void {
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Runs every entry due at the clock's now; returns how many ran. Public so tests can step it. */
  tick(): number {
    const now = this.o.clock.now();
    let ran = 0;
    for (const e of [...this.entries.values()].sort(byNext)) {
      if (e.next === undefined || e.next > now) break;
      e.prev = e.next;
      e.next = nextFire(e.schedule, now, this.o.timeZone);
      ran++;
      this.o.run(e.job, now);
    }
    return ran;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running) return;
    const first = [...this.entries.values()].sort(byNext)[0];
    if (!first || first.next === undefined) return;
    const maxWait = this.o.maxWaitMs ?? 250;
    const wallAt = this.o.clock.toWall ? this.o.clock.toWall(first.next) : first.next;
    let wait = Math.max(0, Math.min(maxWait, wallAt - this.wallNow()));
    // A held clock (the replay's warm-up) reaches the firing's wall time without reaching the
    // firing: look again after a pause, not in a loop of zero-delay timers.
    if (wait === 0 && this.o.clock.now() < first.next) wait = Math.min(HELD_POLL_MS, maxWait);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.tick();
      this.arm();
    }, wait);
    this.timer.unref?.();
  }
}

const byNext = (a: { next: number | undefined; id: string }, b: { next: number | undefined; id: string }) =>
  (a.next ?? Infinity) - (b.next ?? Infinity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
