import { Interrupted } from '../../../core/component.ts';
import { sleep } from '../../../core/wait.ts';
import type { ReplayPlan } from '../plan.ts';

/** Where the replay is in its windows, in virtual seconds. */
export interface WindowProgress {
  phase: 'replay';
  message: string;
  window: number;
  windows: number;
  virtualDone: number;
  virtualTotal: number;
  virtualNow: number;
}

/** The windows back to back on the virtual clock; returns when the last one ends. */
export async function replayWindows(plan: ReplayPlan, signal: AbortSignal | undefined, progress: (p: WindowProgress) => void, sampleDue: () => void): Promise<void> {
  const s = plan.scenario;
  let done = 0;
  for (const [i, w] of s.windows.entries()) {
    // The last samples of a window are taken before the clock leaves it, the first of the next at once.
    sampleDue();
    plan.clock.enter(i);
    sampleDue();
    const end = s.dayStartMs + w.end * 1000;
    for (;;) {
      if (signal?.aborted) throw new Interrupted();
      const now = plan.clock.now();
      progress({ phase: 'replay', message: `window ${i + 1}/${s.windows.length}`, window: i, windows: s.windows.length, virtualDone: done + Math.min(w.end - w.start, (now - plan.windowStartsMs[i]!) / 1000), virtualTotal: plan.virtualTotal, virtualNow: now });
      if (now >= end) break;
      await sleep(Math.min(250, Math.max(10, (end - now) / s.compression)), signal);
    }
    done += w.end - w.start;
  }
}
