import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { commentFromFile, MARKER } from './index.ts';

/**
 * A loopback stand-in for GitHub's issue-comments API and GitLab's merge-request-notes API: it
 * answers only requests shaped as the documentation says (method, path, auth and media headers,
 * a JSON `{"body": …}`), keeps the comments, and records what it was asked.
 */
interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body?: { body: string };
}

interface FakeApi {
  url: string;
  seen: Seen[];
  comments: { id: number; body: string }[];
  failWith?: number;
}

const servers: Server[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const GH_TOKEN = 'ghs_secretjobtoken123';
const GL_TOKEN = 'glpat-secretprojecttoken456';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString()));
    req.on('end', () => resolve(s));
  });
}

/** GitHub: /repos/{owner}/{repo}/issues/{n}/comments (GET, POST), /repos/{owner}/{repo}/issues/comments/{id} (PATCH). */
async function fakeGithub(seed: number): Promise<FakeApi> {
  const api: FakeApi = { url: '', seen: [], comments: Array.from({ length: seed }, (_, i) => ({ id: 1000 + i, body: `a reviewer's comment ${i}` })) };
  let next = 5000;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    const raw = await readBody(req);
    const seen: Seen = { method: req.method!, path: url.pathname + url.search, headers: req.headers, ...(raw ? { body: JSON.parse(raw) as { body: string } } : {}) };
    api.seen.push(seen);
    const send = (status: number, json: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(json));
    if (api.failWith) return send(api.failWith, { message: api.failWith === 401 ? `Bad credentials ${GH_TOKEN}` : 'Not Found' });
    if (req.headers.authorization !== `Bearer ${GH_TOKEN}`) return send(401, { message: 'Bad credentials' });
    if (req.headers.accept !== 'application/vnd.github+json' || req.headers['x-github-api-version'] !== '2022-11-28') return send(415, { message: 'media type' });
    const list = /^\/repos\/team\/app\/issues\/42\/comments$/.exec(url.pathname);
    const edit = /^\/repos\/team\/app\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if (list && req.method === 'GET') {
      const per = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      return send(200, api.comments.slice((page - 1) * per, page * per));
    }
    const valid = seen.body && typeof seen.body.body === 'string' && req.headers['content-type'] === 'application/json';
    if (list && req.method === 'POST' && valid) {
      const c = { id: next++, body: seen.body!.body };
      api.comments.push(c);
      return send(201, c);
    }
    if (edit && req.method === 'PATCH' && valid) {
      const c = api.comments.find((x) => x.id === Number(edit[1]));
      if (!c) return send(404, { message: 'Not Found' });
      c.body = seen.body!.body;
      return send(200, c);
    }
    return send(404, { message: 'Not Found' });
  });
  return listen(server, api);
}

/** GitLab: /projects/:id/merge_requests/:iid/notes (GET, POST), .../notes/:note_id (PUT). */
async function fakeGitlab(seed: number): Promise<FakeApi> {
  const api: FakeApi = { url: '', seen: [], comments: Array.from({ length: seed }, (_, i) => ({ id: 10 + i, body: `note ${i}` })) };
  let next = 900;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    const raw = await readBody(req);
    const seen: Seen = { method: req.method!, path: url.pathname + url.search, headers: req.headers, ...(raw ? { body: JSON.parse(raw) as { body: string } } : {}) };
    api.seen.push(seen);
    const send = (status: number, json: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(json));
    if (api.failWith) return send(api.failWith, { message: `${api.failWith} failure` });
    if (req.headers['private-token'] !== GL_TOKEN) return send(401, { message: '401 Unauthorized' });
    const notes = /^\/api\/v4\/projects\/77\/merge_requests\/5\/notes(?:\/(\d+))?$/.exec(url.pathname);
    if (!notes) return send(404, { message: '404 Not found' });
    const valid = seen.body && typeof seen.body.body === 'string' && req.headers['content-type'] === 'application/json';
    if (!notes[1] && req.method === 'GET') {
      const per = Number(url.searchParams.get('per_page') ?? 20);
      const page = Number(url.searchParams.get('page') ?? 1);
      return send(200, api.comments.slice((page - 1) * per, page * per));
    }
    if (!notes[1] && req.method === 'POST' && valid) {
      const c = { id: next++, body: seen.body!.body };
      api.comments.push(c);
      return send(201, c);
    }
    const c = api.comments.find((x) => x.id === Number(notes[1]));
    if (c && req.method === 'PUT' && valid) {
      c.body = seen.body!.body;
      return send(200, c);
    }
    return send(404, { message: '404 Not found' });
  });
  return listen(server, api);
}

async function listen(server: Server, api: FakeApi): Promise<FakeApi> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}

function files(summary: string): { summary: string; event: string } {
  const d = mkdtempSync(join(tmpdir(), 'ebbflow-ci-'));
  dirs.push(d);
  writeFileSync(join(d, 'summary.md'), summary);
  writeFileSync(join(d, 'event.json'), JSON.stringify({ action: 'synchronize', number: 42, pull_request: { number: 42 } }));
  return { summary: join(d, 'summary.md'), event: join(d, 'event.json') };
}

const githubEnv = (api: FakeApi, event: string) => ({ GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'team/app', GITHUB_EVENT_PATH: event, GITHUB_TOKEN: GH_TOKEN });
const gitlabEnv = (api: FakeApi) => ({ CI_API_V4_URL: `${api.url}/api/v4`, CI_PROJECT_ID: '77', CI_MERGE_REQUEST_IID: '5', EBBFLOW_GITLAB_TOKEN: GL_TOKEN });

describe('ci comment on GitHub (issue comments API)', () => {
  it('creates one marked comment after paging through the others, then updates that same comment', async () => {
    const api = await fakeGithub(150);
    const f = files('| metric | before | after |\n|---|---|---|\n| SLO coverage | 80 % | 95 % |\n');
    const first = await commentFromFile('github', f.summary, githubEnv(api, f.event));
    expect(first).toMatchObject({ action: 'created', where: 'pull request 42 of team/app' });
    expect(api.seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'GET /repos/team/app/issues/42/comments?per_page=100&page=1',
      'GET /repos/team/app/issues/42/comments?per_page=100&page=2',
      'POST /repos/team/app/issues/42/comments',
    ]);
    expect(api.seen[2]!.body!.body).toBe(`${MARKER}\n| metric | before | after |\n|---|---|---|\n| SLO coverage | 80 % | 95 % |\n`);

    api.seen.length = 0;
    writeFileSync(f.summary, '| SLO coverage | 80 % | 97 % |\n');
    const second = await commentFromFile('github', f.summary, githubEnv(api, f.event));
    expect(second).toMatchObject({ action: 'updated', id: first.id });
    expect(api.seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'GET /repos/team/app/issues/42/comments?per_page=100&page=1',
      'GET /repos/team/app/issues/42/comments?per_page=100&page=2',
      `PATCH /repos/team/app/issues/comments/${first.id}`,
    ]);
    expect(api.comments.filter((c) => c.body.includes(MARKER))).toEqual([{ id: first.id, body: `${MARKER}\n| SLO coverage | 80 % | 97 % |\n` }]);
    expect(api.comments).toHaveLength(151);
  });

  it('fails with the status and the request, never the token (401, 404, 5xx)', async () => {
    const api = await fakeGithub(0);
    const f = files('x');
    for (const [status, text] of [
      [401, /GET \/repos\/team\/app\/issues\/42\/comments: the GitHub API answered 401 Unauthorized \(Bad credentials \*\*\*\)/],
      [404, /answered 404 Not Found/],
      [503, /answered 503 Service Unavailable/],
    ] as const) {
      api.failWith = status;
      const err = await commentFromFile('github', f.summary, githubEnv(api, f.event)).then(
        () => undefined,
        (e: unknown) => e as Error & { hint?: string },
      );
      expect(err?.name).toBe('UserError');
      expect(err?.message).toMatch(text);
      expect(`${err?.message} ${err?.hint}`).not.toContain(GH_TOKEN);
    }
  });

  it('refuses an event without a pull request, and a missing token, before any request', async () => {
    const api = await fakeGithub(0);
    const f = files('x');
    writeFileSync(f.event, JSON.stringify({ ref: 'refs/heads/main' }));
    await expect(commentFromFile('github', f.summary, githubEnv(api, f.event))).rejects.toThrow(/no pull request number/);
    await expect(commentFromFile('github', f.summary, { ...githubEnv(api, f.event), GITHUB_TOKEN: undefined })).rejects.toThrow(/GITHUB_TOKEN is not set/);
    expect(api.seen).toEqual([]);
  });
});

describe('ci comment on GitLab (merge request notes API)', () => {
  it('creates one marked note with PRIVATE-TOKEN, then updates it with PUT', async () => {
    const api = await fakeGitlab(3);
    const f = files('| before | after |\n');
    const first = await commentFromFile('gitlab', f.summary, gitlabEnv(api));
    expect(first).toMatchObject({ action: 'created', where: 'merge request !5 of project 77' });
    const second = await commentFromFile('gitlab', f.summary, gitlabEnv(api));
    expect(second).toEqual({ action: 'updated', id: first.id, where: first.where });
    expect(api.seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'GET /api/v4/projects/77/merge_requests/5/notes?per_page=100&page=1',
      'POST /api/v4/projects/77/merge_requests/5/notes',
      'GET /api/v4/projects/77/merge_requests/5/notes?per_page=100&page=1',
      `PUT /api/v4/projects/77/merge_requests/5/notes/${first.id}`,
    ]);
    expect(api.seen.every((s) => s.headers['private-token'] === GL_TOKEN && !s.headers.authorization)).toBe(true);
    expect(api.comments.filter((c) => c.body.startsWith(MARKER))).toHaveLength(1);
  });

  it('says a job token cannot write notes and which variable to set', async () => {
    const api = await fakeGitlab(0);
    const f = files('x');
    await expect(commentFromFile('gitlab', f.summary, { ...gitlabEnv(api), EBBFLOW_GITLAB_TOKEN: undefined, CI_JOB_TOKEN: 'job' })).rejects.toThrow(/EBBFLOW_GITLAB_TOKEN is not set \(CI_JOB_TOKEN is, but GitLab's job token cannot write merge request notes\)/);
    expect(api.seen).toEqual([]);
  });

  it('a refused token and a failing server are clear errors without the token', async () => {
    const api = await fakeGitlab(0);
    const f = files('x');
    const wrong = await commentFromFile('gitlab', f.summary, { ...gitlabEnv(api), EBBFLOW_GITLAB_TOKEN: 'glpat-wrong' }).catch((e: Error & { hint?: string }) => e);
    expect((wrong as Error).message).toMatch(/GET \/api\/v4\/projects\/77\/merge_requests\/5\/notes: the GitLab API answered 401 Unauthorized/);
    expect((wrong as Error & { hint: string }).hint).toMatch(/EBBFLOW_GITLAB_TOKEN/);
    api.failWith = 502;
    const down = await commentFromFile('gitlab', f.summary, gitlabEnv(api)).catch((e: Error) => e);
    expect((down as Error).message).toMatch(/answered 502 Bad Gateway/);
    expect((down as Error).message).not.toContain(GL_TOKEN);
  });
});
