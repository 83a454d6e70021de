import { UserError } from '../../core/errors.ts';

/**
 * Where the comment goes, from the environment each CI system documents, pure: GitHub Actions
 * (`GITHUB_API_URL`, `GITHUB_REPOSITORY`, the pull request number from the event payload at
 * `GITHUB_EVENT_PATH`, the job's `GITHUB_TOKEN`) and GitLab CI (`CI_API_V4_URL`, `CI_PROJECT_ID`,
 * `CI_MERGE_REQUEST_IID`, a project access token). Base URLs come from the environment so a test
 * can point them at a local server.
 */

export type Platform = 'github' | 'gitlab';

export interface CommentTarget {
  platform: Platform;
  /** What the messages call the thread ("pull request 7 of o/r"). */
  where: string;
  /** The comments of the thread, one page (1-based) of up to 100. */
  listUrl(page: number): string;
  createUrl: string;
  updateUrl(id: number): string;
  /** PATCH on GitHub, PUT on GitLab. */
  updateMethod: 'PATCH' | 'PUT';
  headers: Record<string, string>;
}

type Env = Record<string, string | undefined>;

/** The variable GitLab jobs take the token from: a project access token (scope `api`, role Reporter+) in a masked CI/CD variable. */
export const GITLAB_TOKEN_VAR = 'EBBFLOW_GITLAB_TOKEN';

const trimSlash = (u: string) => u.replace(/\/+$/, '');

function required(env: Env, name: string, hint: string): string {
  const v = env[name];
  if (!v) throw new UserError(`${name} is not set`, hint);
  return v;
}

/** GitHub: `readEvent` returns the event payload's text (the file at GITHUB_EVENT_PATH). */
export function githubTarget(env: Env, readEvent: (path: string) => string): CommentTarget {
  const inActions = 'run this step in a GitHub Actions job (the variable is set by the runner)';
  const api = trimSlash(env.GITHUB_API_URL || 'https://api.github.com');
  const repo = required(env, 'GITHUB_REPOSITORY', inActions);
  if (!/^[^/\s]+\/[^/\s]+$/.test(repo)) throw new UserError(`GITHUB_REPOSITORY is ${JSON.stringify(repo)}, not owner/name`, inActions);
  const token = required(env, 'GITHUB_TOKEN', 'give the step `env: {GITHUB_TOKEN: ${{ github.token }}}` and the job `permissions: {pull-requests: write}`');
  const number = pullRequestNumber(readEvent(required(env, 'GITHUB_EVENT_PATH', inActions)));
  const issue = `${api}/repos/${repo}/issues`;
  return {
    platform: 'github',
    where: `pull request ${number} of ${repo}`,
    listUrl: (page) => `${issue}/${number}/comments?per_page=100&page=${page}`,
    createUrl: `${issue}/${number}/comments`,
    updateUrl: (id) => `${issue}/comments/${id}`,
    updateMethod: 'PATCH',
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' },
  };
}

function pullRequestNumber(eventText: string): number {
  let event: { pull_request?: { number?: unknown }; number?: unknown };
  try {
    event = JSON.parse(eventText) as typeof event;
  } catch {
    throw new UserError('the GitHub event payload (GITHUB_EVENT_PATH) is not JSON', 'run this step in a GitHub Actions job');
  }
  const n = event.pull_request?.number ?? event.number;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new UserError('the GitHub event has no pull request number: a comment goes on a pull request', "run this step only on pull_request events (`if: github.event_name == 'pull_request'`)");
  }
  return n;
}

export function gitlabTarget(env: Env): CommentTarget {
  const inCi = 'run this job in GitLab CI on a merge request pipeline (`rules: - if: $CI_PIPELINE_SOURCE == "merge_request_event"`)';
  const api = trimSlash(required(env, 'CI_API_V4_URL', inCi));
  const project = required(env, 'CI_PROJECT_ID', inCi);
  const iid = required(env, 'CI_MERGE_REQUEST_IID', inCi);
  if (!/^\d+$/.test(iid)) throw new UserError(`CI_MERGE_REQUEST_IID is ${JSON.stringify(iid)}, not a number`, inCi);
  const token = env[GITLAB_TOKEN_VAR];
  if (!token) {
    throw new UserError(
      `${GITLAB_TOKEN_VAR} is not set${env.CI_JOB_TOKEN ? " (CI_JOB_TOKEN is, but GitLab's job token cannot write merge request notes)" : ''}`,
      `create a project access token (scope api, role Reporter or higher) and store it as a masked CI/CD variable named ${GITLAB_TOKEN_VAR}`,
    );
  }
  const notes = `${api}/projects/${encodeURIComponent(project)}/merge_requests/${iid}/notes`;
  return {
    platform: 'gitlab',
    where: `merge request !${iid} of project ${project}`,
    listUrl: (page) => `${notes}?per_page=100&page=${page}`,
    createUrl: notes,
    updateUrl: (id) => `${notes}/${id}`,
    updateMethod: 'PUT',
    headers: { 'PRIVATE-TOKEN': token },
  };
}
