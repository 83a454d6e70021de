/**
 * What a command's `--help` ends with: a few real invocations and what each exit code means for it.
 * One helper so that every command says it the same way, and a test can require it of all of them.
 */
export interface HelpFooter {
  /** 1–3 command lines a user can paste, e.g. `npx ebbflow simulate scenarios/smoke.yaml`. */
  examples: string[];
  /** What exit 0 means, when more precise than "success". */
  ok?: string;
  /** What exit 1 means; only for commands that can end with a failed expectation. */
  failed?: string;
  /** What exit 130 means (default "interrupted"); false for a command that only prints and takes no signal. */
  interrupted?: string | false;
}

export const EXAMPLES_HEADING = 'Examples:';
export const EXIT_CODES_HEADING = 'Exit codes:';

/**
 * The footer's text, for `.addHelpText('after', helpFooter({...}))`; it starts with a blank line
 * (commander puts it right after the options).
 */
export function helpFooter(f: HelpFooter): string {
  if (f.examples.length < 1 || f.examples.length > 3) throw new Error(`a command's help declares 1 to 3 examples, got ${f.examples.length}`);
  const codes = [`0 ${f.ok ?? 'success'}`, ...(f.failed ? [`1 ${f.failed}`] : []), '2 bad input or environment', ...(f.interrupted === false ? [] : [`130 ${f.interrupted ?? 'interrupted'}`])];
  return `\n${EXAMPLES_HEADING}\n${f.examples.map((e) => `  ${e}`).join('\n')}\n\n${EXIT_CODES_HEADING} ${codes.join(', ')}.\n`;
}
