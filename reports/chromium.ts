/** The Chromium the HTML report test opens: Debian's, unless `EBBFLOW_CHROMIUM` names another. Kept apart from browser-check.ts so the test set-up can ask without loading playwright. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.EBBFLOW_CHROMIUM ?? '/usr/bin/chromium';
}
