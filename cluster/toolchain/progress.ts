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
