import { readFileSync } from 'node:fs';
import { UserError } from '../../core/errors.ts';
import { postStickyComment, type PostResult } from './post.ts';
import { githubTarget, gitlabTarget, type Platform } from './targets.ts';

export { MARKER } from './sticky.ts';
export { GITLAB_TOKEN_VAR } from './targets.ts';
export type { PostResult } from './post.ts';

/** `ebbflow ci comment`: the file's Markdown as the one sticky comment of this job's pull/merge request. */
export async function commentFromFile(platform: Platform, file: string, env: Record<string, string | undefined> = process.env): Promise<PostResult & { where: string }> {
  let body: string;
  try {
    body = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`--file ${file}: cannot be read`, 'give the summary.md that simulate or replay wrote (e.g. out-pr/summary.md)');
  }
  const target = platform === 'github' ? githubTarget(env, (p) => readEvent(p)) : gitlabTarget(env);
  return { ...(await postStickyComment(target, body)), where: target.where };
}

function readEvent(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new UserError(`GITHUB_EVENT_PATH ${path}: cannot be read`, 'run this step in a GitHub Actions job');
  }
}
