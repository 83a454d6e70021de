/** What a long toolchain step reports; the CLI renders it as bars on a TTY, as lines otherwise. */
export interface ToolchainProgress {
  /** A component starts a phase ("resolving modules", "compiling") with a known or unknown total. */
  phase(component: string, phase: string, total?: number): void;
  /** Work done so far in the current phase. */
  advance(component: string, done: number, detail?: string): void;
  done(component: string, summary: string): void;
  info(message: string): void;
}

export const silentProgress: ToolchainProgress = {
  phase() {},
  advance() {},
  done() {},
  info() {},
};

/** Plain lines on `stream` (a test's stderr): every 100th step of a phase, no bars, no rate limit. */
export function lineProgress(stream: NodeJS.WritableStream = process.stderr): ToolchainProgress {
  return {
    phase: (c, phase, total) => stream.write(`${c}: ${phase}${total ? ` (${total} packages)` : ''}\n`),
    advance: (c, done) => {
      if (done % 100 === 0) stream.write(`${c}: ${done}\n`);
    },
    done: (c, summary) => stream.write(`${c}: ${summary}\n`),
    info: (m) => stream.write(`${m}\n`),
  };
}
