import cliProgress from 'cli-progress';
import type { ReplayProgress } from '../replay/engine/engine.ts';

/** One progress bar in virtual time with wall time beside it; plain lines when stderr is not a TTY (CI). */
export function createReplayProgress(name: string): { update(p: ReplayProgress): void; stop(): void } {
  const tty = process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  let lastPhase = '';
  let lastLine = 0;
  const hms = (s: number) => `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  return {
    update(p) {
      if (p.phase !== 'replay') {
        if (p.message !== lastPhase) {
          bar?.stop();
          bar = undefined;
          process.stderr.write(`[${p.wallSeconds.toFixed(0).padStart(4)}s] ${p.message}\n`);
          lastPhase = p.message;
        }
        return;
      }
      const payload = { virt: hms(p.virtualDone ?? 0), vtot: hms(p.virtualTotal ?? 0), wall: p.wallSeconds.toFixed(0), clock: p.virtualNow ? new Date(p.virtualNow).toISOString().slice(11, 19) : '', win: `${(p.window ?? 0) + 1}/${p.windows ?? 1}` };
      if (tty) {
        if (!bar) {
          bar = new cliProgress.SingleBar({ format: `${name} [{bar}] {percentage}% | virtual {virt}/{vtot} (clock {clock}, window {win}) | wall {wall}s`, hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic);
          bar.start(p.virtualTotal ?? 1, 0, payload);
        }
        bar.update(p.virtualDone ?? 0, payload);
      } else if (p.wallSeconds - lastLine >= 10) {
        lastLine = p.wallSeconds;
        process.stderr.write(`[${p.wallSeconds.toFixed(0).padStart(4)}s] ${name}: virtual ${payload.virt}/${payload.vtot} (clock ${payload.clock}, window ${payload.win})\n`);
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
