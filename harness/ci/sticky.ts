/**
 * The sticky comment's identity, pure: a hidden HTML comment in the body marks the one comment
 * ebbflow owns on a pull/merge request, so every run edits it instead of adding another.
 */

export const MARKER = '<!-- ebbflow -->';

/** GitHub refuses a comment body over 65,536 characters; GitLab's limit is higher. */
export const MAX_BODY = 65_000;
const TRUNCATED = '\n\n… (cut here: the full summary is in the job\'s artifacts)\n';

/** The body as posted: the marker first (invisible in rendered Markdown), then the summary, cut to fit. */
export function withMarker(body: string): string {
  const marked = body.startsWith(MARKER) ? body : `${MARKER}\n${body}`;
  return marked.length <= MAX_BODY ? marked : marked.slice(0, MAX_BODY - TRUNCATED.length) + TRUNCATED;
}

/** The first comment carrying the marker (the oldest: the one earlier runs kept editing). */
export function findMarked<T extends { id: number; body?: string | null }>(comments: T[]): T | undefined {
  return comments.find((c) => typeof c.body === 'string' && c.body.includes(MARKER));
}
