import cliProgress from 'cli-progress';
import type { ToolchainProgress } from '../../cluster/toolchain/index.ts';

/**
 * Bars on a terminal; on CI (no TTY) one line per phase and a line every 10% or 20 s, so a
 * 10-minute build is visibly alive without flooding the log.
 */
export function createToolchainProgress(stream: NodeJS.WriteStream = process.stderr): ToolchainProgress & { stop(): void } {
  const t0 = Date.now();
  const secs = () => ((Date.now() - t0) / 1000).toFixed(0).padStart(4) + 's';
  if (stream.isTTY) {
    const multi = new cliProgress.MultiBar(
      { format: ' {component} |{bar}| {percentage}% {phase} {detail}', hideCursor: true, clearOnComplete: false, stream, barsize: 24 },
      cliProgress.Presets.shades_classic,
    );
    const bars = new Map<string, cliProgress.SingleBar>();
    const bar = (c: string) => {
      let b = bars.get(c);
      if (!b) {
        b = multi.create(1, 0, { component: c.padEnd(18), phase: '', detail: '' });
        bars.set(c, b);
      }
      return b;
    };
    return {
      phase(c, phase, total) {
        const b = bar(c);
        b.setTotal(total ?? 1);
        b.update(0, { phase, detail: '' });
      },
      advance(c, done, detail) {
        bar(c).update(done, { detail: (detail ?? '').slice(-40) });
      },
      done(c, summary) {
        const b = bar(c);
        b.setTotal(1);
        b.update(1, { phase: summary, detail: '' });
      },
      info(m) {
        multi.log(m + '\n');
      },
      stop() {
        multi.stop();
      },
    };
  }
  const last = new Map<string, { pct: number; at: number; total: number }>();
  const line = (s: string) => stream.write(`[${secs()}] ${s}\n`);
  return {
    phase(c, phase, total) {
      last.set(c, { pct: 0, at: Date.now(), total: total ?? 0 });
      line(`${c}: ${phase}${total ? ` (${total} packages)` : ''}`);
    },
    advance(c, done) {
      const s = last.get(c);
      if (!s || !s.total) return;
      const pct = Math.floor((100 * done) / s.total);
      if (pct >= s.pct + 10 || Date.now() - s.at > 20_000) {
        s.pct = pct;
        s.at = Date.now();
        line(`${c}: ${pct}% (${done}/${s.total})`);
      }
    },
    done(c, summary) {
      line(`${c}: ${summary}`);
    },
    info(m) {
      line(m);
    },
    stop() {},
  };
}
