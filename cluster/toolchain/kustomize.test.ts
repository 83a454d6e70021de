import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectlOnPath, kustomizeFits, kustomizer } from './kustomize.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A kubectl stand-in on its own PATH entry that reports `kustomize` as its kustomize version. */
function fakeKubectl(kustomize: string): string {
  const d = mkdtempSync(join(tmpdir(), 'ebf-kubectl-'));
  dirs.push(d);
  writeFileSync(join(d, 'kubectl'), `#!/bin/sh\necho '{"clientVersion":{"gitVersion":"v1.35.0"},"kustomizeVersion":"${kustomize}"}'\n`);
  chmodSync(join(d, 'kubectl'), 0o755);
  return d;
}

describe('which kubectl renders kustomizations', () => {
  it('a kubectl fits when its kustomize is of the pinned major version, and says why not otherwise', () => {
    expect(kustomizeFits('{"kustomizeVersion":"v5.7.1"}')).toEqual({ fits: true, version: 'v5.7.1' });
    expect(kustomizeFits('{"kustomizeVersion":"v4.5.7"}')).toEqual({ fits: false, why: 'its kustomize is v4.5.7, not v5.x' });
    expect(kustomizeFits('{"clientVersion":{}}')).toMatchObject({ fits: false, why: 'it reports no kustomize version' });
    expect(kustomizeFits('Client Version: v1.20')).toMatchObject({ fits: false });
    expect(kustomizeFits('{"kustomizeVersion":"unknown"}')).toMatchObject({ fits: false });
  });

  it('uses a fitting kubectl on PATH when no pinned kubectl is built, without building one', async () => {
    const bin = fakeKubectl('v5.6.0');
    const env = { PATH: `${bin}:/usr/bin:/bin`, EBBFLOW_CACHE_DIR: mkdtempSync(join(tmpdir(), 'ebf-cache-')) };
    dirs.push(env.EBBFLOW_CACHE_DIR);
    expect(kubectlOnPath(env)).toBe(join(bin, 'kubectl'));
    expect(await kustomizer({ env })).toEqual({ path: join(bin, 'kubectl'), from: 'path', kustomizeVersion: 'v5.6.0' });
  });

  it('an override wins over PATH', async () => {
    const bin = fakeKubectl('v5.6.0');
    const other = fakeKubectl('v5.6.0');
    const env = { PATH: `${bin}:/usr/bin:/bin`, EBBFLOW_BIN_KUBECTL: join(other, 'kubectl'), EBBFLOW_CACHE_DIR: mkdtempSync(join(tmpdir(), 'ebf-cache-')) };
    dirs.push(env.EBBFLOW_CACHE_DIR);
    expect(await kustomizer({ env })).toEqual({ path: join(other, 'kubectl'), from: 'env' });
  });

  it('passes over an old kubectl on PATH and says why before building the pinned one', async () => {
    const bin = fakeKubectl('v4.5.7');
    const env = { PATH: `${bin}:/usr/bin:/bin`, EBBFLOW_CACHE_DIR: mkdtempSync(join(tmpdir(), 'ebf-cache-')) };
    dirs.push(env.EBBFLOW_CACHE_DIR);
    const notes: string[] = [];
    let built = 0;
    const k = await kustomizer({ env, note: (m) => notes.push(m), build: async () => (built++, '/pinned/kubectl') });
    expect(k).toEqual({ path: '/pinned/kubectl', from: 'built' });
    expect(built).toBe(1);
    expect(notes).toEqual([`not rendering with ${join(bin, 'kubectl')}: its kustomize is v4.5.7, not v5.x; building the pinned kubectl instead`]);
  });
});
