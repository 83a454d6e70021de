import { UserError } from '../../core/errors.ts';
import { findMarked, withMarker } from './sticky.ts';
import type { CommentTarget } from './targets.ts';

/**
 * Posts the sticky comment: lists the thread's comments page by page, edits the one carrying the
 * marker, or creates it. Every failure is a UserError naming the request and the status; the token
 * never appears in a message (it is scrubbed from the server's text too).
 */

export interface PostResult {
  action: 'created' | 'updated';
  id: number;
}

type Fetch = typeof fetch;

const PAGE_SIZE = 100;
/** 100 pages of 100: a thread longer than that is not one a person reads either. */
const MAX_PAGES = 100;

export async function postStickyComment(target: CommentTarget, body: string, doFetch: Fetch = fetch): Promise<PostResult> {
  const text = withMarker(body);
  const existing = await findExisting(target, doFetch);
  if (existing !== undefined) {
    await request<unknown>(target, target.updateMethod, target.updateUrl(existing), doFetch, { body: text });
    return { action: 'updated', id: existing };
  }
  const created = await request<{ id?: unknown }>(target, 'POST', target.createUrl, doFetch, { body: text });
  if (typeof created.id !== 'number') throw new UserError(`${label(target)} created the comment but answered without its id`, 'check the API URL points at the real API');
  return { action: 'created', id: created.id };
}

async function findExisting(target: CommentTarget, doFetch: Fetch): Promise<number | undefined> {
  for (let page = 1; page <= MAX_PAGES; page++) {
    const comments = await request<unknown>(target, 'GET', target.listUrl(page), doFetch);
    if (!Array.isArray(comments)) throw new UserError(`${label(target)} answered the comment list of ${target.where} with something that is not a list`, 'check the API URL points at the real API');
    const marked = findMarked(comments as { id: number; body?: string | null }[]);
    if (marked) return marked.id;
    if (comments.length < PAGE_SIZE) return undefined;
  }
  return undefined;
}

const label = (t: CommentTarget) => (t.platform === 'github' ? 'the GitHub API' : 'the GitLab API');

const HINTS: Record<CommentTarget['platform'], Record<number, string>> = {
  github: {
    401: 'the token was refused: pass the job token as GITHUB_TOKEN (`env: {GITHUB_TOKEN: ${{ github.token }}}`)',
    403: 'the token may not write comments: give the job `permissions: {pull-requests: write}` (a pull request from a fork gets a read-only token)',
    404: 'no such repository or pull request for this token: check GITHUB_REPOSITORY and that the job has `permissions: {pull-requests: write}`',
  },
  gitlab: {
    401: 'the token was refused: store a valid project access token (scope api) as the CI/CD variable EBBFLOW_GITLAB_TOKEN',
    403: 'the token may not write notes: give the project access token the role Reporter or higher and the scope api',
    404: 'no such project or merge request for this token: check CI_PROJECT_ID and CI_MERGE_REQUEST_IID, and the token\'s project',
  },
};

async function request<T>(target: CommentTarget, method: string, url: string, doFetch: Fetch, json?: unknown): Promise<T> {
  const path = new URL(url).pathname;
  let res: Response;
  try {
    res = await doFetch(url, {
      method,
      headers: { ...target.headers, ...(json === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: json === undefined ? undefined : JSON.stringify(json),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    throw new UserError(`${method} ${path}: ${label(target)} could not be reached (${cause})`, 'check the API URL (GITHUB_API_URL / CI_API_V4_URL) and the runner\'s network');
  }
  const text = await res.text();
  if (!res.ok) {
    const hint = HINTS[target.platform][res.status] ?? (res.status >= 500 ? 'the server failed: run the job again later' : 'see the API documentation for this status');
    throw new UserError(`${method} ${path}: ${label(target)} answered ${res.status} ${res.statusText}${serverMessage(text, target)}`, hint);
  }
  try {
    return (text ? JSON.parse(text) : {}) as T;
  } catch {
    throw new UserError(`${method} ${path}: ${label(target)} answered ${res.status} with a body that is not JSON`, 'check the API URL points at the real API');
  }
}

/** The server's own one-line reason (GitHub `message`, GitLab `message`/`error`), short, any secret scrubbed. */
function serverMessage(text: string, target: CommentTarget): string {
  let msg: unknown;
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
    msg = parsed.message ?? parsed.error;
  } catch {
    return '';
  }
  if (typeof msg !== 'string' || !msg) return '';
  let clean = msg.split('\n')[0]!.slice(0, 200);
  for (const v of Object.values(target.headers)) {
    const secret = v.replace(/^Bearer /, '');
    if (secret.length >= 4) clean = clean.split(secret).join('***');
  }
  return ` (${clean})`;
}
