import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.ts';
import { manifestsSource, MANIFEST_LIMITS, isRemoteReference, ManifestReader, type ManifestGrants } from './files.ts';
import { loadHarnessManifests } from './index.ts';
import { kustomizeClosure } from './kustomize-closure.ts';

/**
 * A team's manifests are user files (issue 21, "a scenario's manifests: is neither confined nor
 * bounded"; "a kustomization under --manifests makes kustomize fetch the URL"): every file — and
 * every file kustomize would read — is a regular, bounded file inside the scenario's directory or
 * the current one, and no URL or git resource is fetched, unless a flag says so. Each refusal is
 * a UserError naming the scenario's file, line and field (or --manifests) and the fix, and comes fast.
 */

const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'ebf-mfiles-'));
// The current directory of a run: a repository with the scenario in ebbflow/ and the manifests in deploy/.
const repo = join(tmp, 'repo');
const outside = join(tmp, 'outside');
let server: Server;
let requests = 0;
let port = 0;

beforeAll(async () => {
  mkdirSync(join(repo, 'ebbflow'), { recursive: true });
  cpSync(join(TESTDATA, 'team'), join(repo, 'deploy'), { recursive: true });
  cpSync(join(TESTDATA, 'team'), join(outside, 'team'), { recursive: true });
  writeFileSync(join(repo, 'ebbflow', 'guide.yaml'), readFileSync(join(TESTDATA, 'guide-v2beta1.yaml'), 'utf8'));
  mkdirSync(join(repo, 'folder'));
  writeFileSync(join(repo, 'folder', 'guide.yaml'), readFileSync(join(TESTDATA, 'guide-v2beta1.yaml'), 'utf8'));
  execFileSync('mkfifo', [join(repo, 'ebbflow', 'fifo.yaml')]);
  server = createServer((_, res) => {
    requests++;
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => {
  server.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The scenario ebbflow/s.yaml with `manifests: <m>` written on line 9. */
const scenario = (m: string, grants: ManifestGrants = {}) => ({ file: join(repo, 'ebbflow', 's.yaml'), manifests: m, manifestsAt: 'ebbflow/s.yaml:9:1', manifestGrants: grants });

async function refusal(load: () => Promise<unknown>): Promise<UserError> {
  const t0 = performance.now();
  const e = await load().then(() => undefined, (x: unknown) => x);
  // Refused at once: nothing read a device, waited on a FIFO or fetched anything.
  expect(performance.now() - t0).toBeLessThan(5000);
  expect(e).toBeInstanceOf(UserError);
  return e as UserError;
}

const load = (s: ReturnType<typeof scenario>, flag?: string) => () => loadHarnessManifests({ source: manifestsSource(s, flag, repo)! });

/** A kustomization under the repository referencing `entries` in `field`. */
function kustomization(name: string, body: string): string {
  const dir = join(repo, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n${body}\n`);
  return dir;
}

describe("a scenario's manifests: confined to the scenario's directory or the current one", () => {
  it('reads manifests inside them: a file beside the scenario, a folder and a kustomize overlay in the repository', async () => {
    expect((await loadHarnessManifests({ source: manifestsSource(scenario('guide.yaml'), undefined, repo)! })).hpa.metadata.name).toBe('web');
    expect((await loadHarnessManifests({ source: manifestsSource(scenario('../folder'), undefined, repo)! })).hpa.metadata.name).toBe('web');
    const team = await loadHarnessManifests({ source: manifestsSource(scenario('../deploy/overlays/ci'), undefined, repo)! });
    expect(team.hpa.metadata.name).toBe('chat-api-hpa');
    expect(team.fileOf!(team.hpa)).toBe('deploy/base/hpa.yaml');
  });

  const cases: [string, string][] = [
    ['../../outside (a relative path out of both)', '../../outside/team/overlays/ci'],
    ['/etc', '/etc'],
    ['/proc/self/environ', '/proc/self/environ'],
    ['/dev/zero', '/dev/zero'],
  ];
  for (const [name, path] of cases) {
    it(`refuses ${name}, naming the scenario's file, line and field and the flag that lifts it`, async () => {
      const e = await refusal(load(scenario(path)));
      expect(e.message).toMatch(/^ebbflow\/s\.yaml:9:1: manifests /);
      expect(e.message).toContain(`manifests ${path}: `);
      expect(e.message).toMatch(/outside the scenario's directory \(.*\) and the current directory/);
      expect(e.hint).toMatch(/--allow-outside-manifests/);
    });
  }

  it('--manifests is confined to the current directory', async () => {
    const e = await refusal(load(scenario('guide.yaml'), '/etc'));
    expect(e.message).toMatch(/^--manifests \/etc: outside the current directory/);
    expect(e.hint).toMatch(/--allow-outside-manifests/);
  });

  it('a device or a FIFO is refused as not a regular file, even where it is allowed', async () => {
    const zero = await refusal(load(scenario('/dev/zero', { allowOutside: true })));
    expect(zero.message).toMatch(/manifests \/dev\/zero: cannot read manifest file \/dev\/zero: not a regular file/);
    const fifo = await refusal(load(scenario('fifo.yaml')));
    expect(fifo.message).toMatch(/^ebbflow\/s\.yaml:9:1: manifests fifo\.yaml: cannot read manifest file .*fifo\.yaml: not a regular file/);
    mkdirSync(join(repo, 'withfifo'));
    writeFileSync(join(repo, 'withfifo', 'a.yaml'), 'kind: Service\nmetadata: {name: a}\n');
    execFileSync('mkfifo', [join(repo, 'withfifo', 'b.yaml')]);
    expect((await refusal(load(scenario('../withfifo')))).message).toMatch(/b\.yaml: not a regular file/);
  });

  it('with --allow-outside-manifests the same overlay outside is read', async () => {
    const m = await loadHarnessManifests({ source: manifestsSource(scenario('../../outside/team/overlays/ci', { allowOutside: true }), undefined, repo)! });
    expect(m.hpa.metadata.name).toBe('chat-api-hpa');
  });

  it('a symlink inside that points outside is outside: a file, a folder of YAML', async () => {
    mkdirSync(join(repo, 'links'));
    symlinkSync(join(outside, 'team', 'base', 'hpa.yaml'), join(repo, 'links', 'hpa.yaml'));
    const e = await refusal(load(scenario('../links')));
    expect(e.message).toMatch(/a symlink to .*outside\/team\/base\/hpa\.yaml, outside the scenario's directory/);
    mkdirSync(join(repo, 'dirlink'));
    symlinkSync(join(outside, 'team', 'base'), join(repo, 'dirlink', 'base'));
    expect((await refusal(load(scenario('../dirlink')))).message).toMatch(/dirlink\/base: a symlink to .*outside\/team\/base, outside/);
  });

  it('an oversized file is refused before it is read', async () => {
    const big = join(repo, 'ebbflow', 'big.yaml');
    writeFileSync(big, '');
    truncateSync(big, MANIFEST_LIMITS.fileBytes + 1);
    expect((await refusal(load(scenario('big.yaml')))).message).toMatch(/big\.yaml is \d+ bytes, more than the limit of/);
  });

  it('a folder with more entries than the limit is refused, not listed whole', async () => {
    mkdirSync(join(repo, 'many'));
    for (let i = 0; i <= MANIFEST_LIMITS.entries; i++) writeFileSync(join(repo, 'many', `f${i}.txt`), '');
    expect((await refusal(load(scenario('../many')))).message).toMatch(new RegExp(`more than ${MANIFEST_LIMITS.entries} directory entries under it`));
  });
});

describe('kustomize: every file it would read is checked before it runs; nothing remote is fetched', () => {
  const remote = (p: number): [string, string][] => [
    ['an http resource', `resources: [http://127.0.0.1:${p}/hpa.yaml]`],
    ['an https resource', `resources: ["https://127.0.0.1:${p}/hpa.yaml"]`],
    ['a git repository with ?ref=', `resources: ["http://127.0.0.1:${p}/org/repo//deploy?ref=v1"]`],
    ['a GitHub shorthand', 'resources: ["github.com/example/deploy//base?ref=main"]'],
    ['an scp-like git URL', 'resources: ["git@127.0.0.1:example/deploy.git"]'],
    ['a remote component', `components: ["https://127.0.0.1:${p}/component"]`],
    ['a remote patch file', `patches: [{path: "http://127.0.0.1:${p}/patch.yaml"}]`],
  ];

  it('refuses each URL and git reference, naming the kustomization, the field and the flag, and sends no request', async () => {
    for (const [i, [, body]] of remote(port).entries()) {
      kustomization(`remote${i}`, body);
      const e = await refusal(load(scenario(`../remote${i}`)));
      expect(e.message).toMatch(new RegExp(`^ebbflow/s\\.yaml:9:1: manifests \\.\\./remote${i}: remote${i}/kustomization\\.yaml: \\w+\\[0\\](\\.path)? .*: a remote resource`));
      expect(e.hint).toMatch(/--allow-remote-manifests/);
    }
    expect(requests).toBe(0);
  });

  it('--allow-remote-manifests lets the references through the check (kustomize then fetches them)', () => {
    const dir = kustomization('remote-allowed', `resources: ["https://127.0.0.1:${port}/x.yaml", ../deploy/base]`);
    const files = kustomizeClosure(dir, new ManifestReader({ ...manifestsSource(scenario('../remote-allowed', { allowRemote: true }), undefined, repo)! }));
    expect(files.map((f) => f.file.replace(`${repo}/`, '')).sort()).toEqual(['deploy/base/adapter.yaml', 'deploy/base/app.yaml', 'deploy/base/exporter.yaml', 'deploy/base/hpa.yaml']);
  });

  it('a symlinked base that points outside is refused; with --allow-outside-manifests it renders', async () => {
    const dir = kustomization('symlinked', 'resources: [base]');
    symlinkSync(join(outside, 'team', 'base'), join(dir, 'base'));
    const e = await refusal(load(scenario('../symlinked')));
    expect(e.message).toMatch(/symlinked\/kustomization\.yaml: resources\[0\] base: a symlink to .*outside\/team\/base, outside the scenario's directory/);
    const m = await loadHarnessManifests({ source: manifestsSource(scenario('../symlinked', { allowOutside: true }), undefined, repo)! });
    expect(m.hpa.metadata.name).toBe('chat-api-hpa');
  });

  const local: [string, string, RegExp][] = [
    ['a base outside', 'resources: [../../outside/team/base]', /resources\[0\] \.\.\/\.\.\/outside\/team\/base: outside/],
    ['a bases entry outside', 'bases: [../../outside/team/base]', /bases\[0\] .*: outside/],
    ['a configMapGenerator file outside', 'configMapGenerator: [{name: c, files: [config.yaml=/etc/passwd]}]', /configMapGenerator\[0\]\.files\[0\] \/etc\/passwd: outside/],
    ['a secretGenerator env file outside', 'secretGenerator: [{name: s, envs: [/proc/self/environ]}]', /secretGenerator\[0\]\.envs\[0\] \/proc\/self\/environ: .*outside/],
    ['a patch file outside', 'patches: [{path: ../../outside/team/base/hpa.yaml}]', /patches\[0\]\.path .*: outside/],
    ['a strategic-merge patch outside', 'patchesStrategicMerge: [/etc/hostname]', /patchesStrategicMerge\[0\] \/etc\/hostname: outside/],
    ['a replacement source outside', 'replacements: [{path: /etc/hosts}]', /replacements\[0\]\.path \/etc\/hosts: outside/],
    ['a FIFO as a generator file', 'configMapGenerator: [{name: c, files: [pipe.yaml]}]', /configMapGenerator\[0\]\.files\[0\] pipe\.yaml: cannot read manifest file .*pipe\.yaml: not a regular file/],
    ['a missing resource (kustomize might take it for a URL)', 'resources: [nope.yaml]', /resources\[0\] nope\.yaml: no such file or directory/],
  ];
  for (const [name, body, msg] of local) {
    it(`refuses ${name}`, async () => {
      const slug = name.replace(/\W+/g, '-');
      const dir = kustomization(slug, body);
      if (body.includes('pipe.yaml')) execFileSync('mkfifo', [join(dir, 'pipe.yaml')]);
      const e = await refusal(load(scenario(`../${slug}`)));
      expect(e.message).toMatch(new RegExp(`^ebbflow/s\\.yaml:9:1: manifests \\.\\./${slug}: ${slug}/kustomization\\.yaml: `));
      expect(e.message).toMatch(msg);
    });
  }

  it('a FIFO as the kustomization itself is refused', async () => {
    mkdirSync(join(repo, 'kfifo'));
    execFileSync('mkfifo', [join(repo, 'kfifo', 'kustomization.yaml')]);
    expect((await refusal(load(scenario('../kfifo')))).message).toMatch(/kfifo\/kustomization\.yaml: cannot read manifest file .*: not a regular file/);
  });

  it('walks the shipped overlays (resources, components, generators, patches) and renders the same objects', async () => {
    const { MANIFESTS_DIR, renderOverlay, OVERLAYS } = await import('./index.ts');
    for (const o of OVERLAYS) {
      const dir = join(MANIFESTS_DIR, 'overlays', o);
      const files = kustomizeClosure(dir, new ManifestReader(manifestsSource({ file: join(MANIFESTS_DIR, 's.yaml'), manifests: `overlays/${o}` }, undefined, MANIFESTS_DIR)!));
      expect(files.some((f) => f.file.endsWith('base/autoscaling/hpa.yaml')), o).toBe(true);
      const { loadManifestObjects } = await import('./load.ts');
      const objs = await loadManifestObjects(dir, MANIFESTS_DIR, manifestsSource({ file: join(MANIFESTS_DIR, 's.yaml'), manifests: `overlays/${o}` }, undefined, MANIFESTS_DIR));
      expect(objs.map((x) => `${x.object.kind}/${x.object.metadata.name}`).sort()).toEqual((await renderOverlay(o)).map((x) => `${x.kind}/${x.metadata.name}`).sort());
    }
  });

  it('knows a remote reference from a local path', () => {
    for (const r of ['https://example.com/x.yaml', 'http://127.0.0.1/x', 'git@github.com:org/repo', 'github.com/org/repo//base?ref=v1', 'ssh://git@host/repo', 'git::https://host/repo', 'file:///srv/repo', 'dev.azure.com/org/_git/repo', 'base?ref=main']) expect(isRemoteReference(r), r).toBe(true);
    for (const r of ['../base', 'base', 'configs.d/x.yaml', 'v1.2/hpa.yaml', './github/x.yaml']) expect(isRemoteReference(r), r).toBe(false);
  });
});
