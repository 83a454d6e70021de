import type { Command } from 'commander';
import { helpFooter } from '../help.ts';

export function register(program: Command): void {
  const ci = program.command('ci').description('What the CI jobs `ebbflow init` writes call')
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow ci comment --github --file out-pr/summary.md'], ok: 'posted', interrupted: false }));
  ci.command('comment')
    .description('Post a Markdown file (summary.md) as the one sticky comment of this job\'s pull request (GitHub) or merge request (GitLab): created once, then edited')
    .option('--github', 'GitHub Actions: GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_TOKEN (the job needs permissions: pull-requests: write)')
    .option('--gitlab', 'GitLab CI: CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID, EBBFLOW_GITLAB_TOKEN (a project access token: the job token cannot write notes)')
    .requiredOption('--file <file>', 'the Markdown to post, e.g. out-pr/summary.md')
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow ci comment --github --file out-pr/summary.md', 'npx ebbflow ci comment --gitlab --file out-pr/summary.md'], ok: 'posted (2 also for an API error: the status is named, never the token)' }))
    .action(async (o: { github?: boolean; gitlab?: boolean; file: string }) => {
      const { UserError } = await import('../../../core/errors.ts');
      if (Boolean(o.github) === Boolean(o.gitlab)) throw new UserError('ci comment needs exactly one of --github and --gitlab', 'give --github in GitHub Actions, --gitlab in GitLab CI');
      const { commentFromFile } = await import('../../ci/index.ts');
      const r = await commentFromFile(o.github ? 'github' : 'gitlab', o.file);
      process.stdout.write(`${r.action} comment ${r.id} on ${r.where}\n`);
    });
}
