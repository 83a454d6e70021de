import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goBinaryName, selectComponents } from './install.ts';
import { componentDir, componentFiles, envOverrideName, locateBinary, readManifest, resolveBinary } from './paths.ts';
import { versionMatches } from './version-probe.ts';
import { binaryOwners, COMPONENTS, recipeBinaries } from './versions.ts';

const emptyCache = () => ({ EBBFLOW_CACHE_DIR: mkdtempSync(join(tmpdir(), 'ebf-cache-')) });

describe('toolchain', () => {
  it('pins every binary the project runs, each owned by one component', () => {
    const owners = binaryOwners();
    for (const b of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'etcd', 'kwok', 'kwokctl', 'prometheus-adapter', 'k6', 'prometheus']) {
      expect(owners.get(b), b).toBeDefined();
    }
    expect(new Set(COMPONENTS.map((c) => c.name)).size).toBe(COMPONENTS.length);
  });

  it('names the file go build writes for a package', () => {
    expect(goBinaryName('go.etcd.io/etcd/server/v3')).toBe('server');
    expect(goBinaryName('sigs.k8s.io/kwok/cmd/kwokctl')).toBe('kwokctl');
    expect(goBinaryName('go.k6.io/k6')).toBe('k6');
  });

  it('env overrides win, and a bad override is a clear error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ebf-bin-'));
    const fake = join(dir, 'etcd');
    writeFileSync(fake, '#!/bin/sh\n');
    chmodSync(fake, 0o755);
    expect(envOverrideName('kube-apiserver')).toBe('EBBFLOW_BIN_KUBE_APISERVER');
    expect(locateBinary('etcd', { ...emptyCache(), EBBFLOW_BIN_ETCD: fake })).toEqual({ path: fake, from: 'env' });
    expect(() => resolveBinary('etcd', { ...emptyCache(), EBBFLOW_BIN_ETCD: join(dir, 'nope') })).toThrow(/EBBFLOW_BIN_ETCD=.*not an executable/);
  });

  it('says how to install a missing binary', () => {
    expect(() => resolveBinary('k6', emptyCache())).toThrow(/k6 is not installed/);
  });

  it('rejects unknown components by name', () => {
    expect(() => selectComponents(['kubernetes', 'terraform'])).toThrow(/unknown toolchain component "terraform"/);
  });

  it('compares reported versions with the pins', () => {
    expect(versionMatches('v3.6.16', 'v3.6.16')).toBe(true);
    expect(versionMatches('2.42.0', 'v2.42.0+ds')).toBe(true);
    expect(versionMatches('v1.36.1', 'v0.0.0')).toBe(false);
    expect(versionMatches('v1.36.1', undefined)).toBe(false);
  });

  it('promtool comes with prometheus (one Debian package), overridable like every binary', () => {
    const prom = binaryOwners().get('prometheus')!;
    expect(binaryOwners().get('promtool')).toBe(prom);
    expect(recipeBinaries(prom)).toEqual(['prometheus', 'promtool']);
    expect(envOverrideName('promtool')).toBe('EBBFLOW_BIN_PROMTOOL');
  });

  it('a cached component written before its recipe gained a binary is reinstalled, not half used', () => {
    const env = emptyCache();
    const prom = binaryOwners().get('prometheus')!;
    const dir = join(componentDir(prom, env), 'bin');
    mkdirSync(dir, { recursive: true });
    const bin = (name: string) => {
      writeFileSync(join(dir, name), '#!/bin/sh\n');
      chmodSync(join(dir, name), 0o755);
      return join(dir, name);
    };
    const manifest = (binaries: Record<string, string>) => writeFileSync(join(componentDir(prom, env), 'manifest.json'), JSON.stringify({ component: 'prometheus', version: prom.recipe.version, binaries, source: 'debian', builtAt: '', seconds: 0 }));
    manifest({ prometheus: bin('prometheus') });
    expect(readManifest(prom, env)).toBeUndefined();
    expect(locateBinary('promtool', env)).toBeUndefined();
    expect(locateBinary('prometheus', env)).toBeUndefined();
    manifest({ prometheus: join(dir, 'prometheus'), promtool: bin('promtool') });
    expect(locateBinary('promtool', env)).toEqual({ path: join(dir, 'promtool'), from: 'cache' });
  });

  it('KEDA is optional too: both of its binaries come from the one component, which a plain install and the cache key leave out', () => {
    const owners = binaryOwners();
    expect(owners.get('keda-operator')?.name).toBe('keda');
    expect(owners.get('keda-metrics-apiserver')?.name).toBe('keda');
    expect(owners.get('keda-operator')?.optional).toBe(true);
    expect(selectComponents().map((c) => c.name)).not.toContain('keda');
    expect(selectComponents(['keda']).map((c) => c.name)).toEqual(['keda']);
    const r = owners.get('keda-operator')!.recipe;
    expect(r.kind === 'go' && r.files).toEqual(['config/crd/bases/']);
    expect(r.kind === 'go' && r.exclude).toEqual(['github.com/go-chi/chi/v5 v5.2.3']);
  });

  it('k6-operator is optional: a plain install and the cache key leave it out; it keeps its CRDs and ClusterRole', () => {
    const c = binaryOwners().get('k6-operator')!;
    expect(c.name).toBe('k6-operator');
    expect(c.optional).toBe(true);
    expect(selectComponents().map((x) => x.name)).not.toContain('k6-operator');
    expect(selectComponents(['k6-operator']).map((x) => x.name)).toEqual(['k6-operator']);
    expect(c.recipe.kind === 'go' && c.recipe.files).toEqual(['config/crd/bases/', 'config/rbac/role.yaml']);
  });

  it('an optional component (kruise) is not in a plain install, is installed by name, and its kept files make part of the install', () => {
    expect(selectComponents().map((c) => c.name)).not.toContain('kruise');
    expect(selectComponents(['kruise']).map((c) => c.name)).toEqual(['kruise']);
    const env = emptyCache();
    const kruise = binaryOwners().get('kruise-manager')!;
    expect(kruise.optional).toBe(true);
    const root = componentDir(kruise, env);
    mkdirSync(join(root, 'bin'), { recursive: true });
    writeFileSync(join(root, 'bin', 'kruise-manager'), '#!/bin/sh\n');
    chmodSync(join(root, 'bin', 'kruise-manager'), 0o755);
    // A kept directory is its files.
    const kept = (kruise.recipe as { files: string[] }).files.map((f) => (f.endsWith('/') ? `${f}apps.kruise.io_uniteddeployments.yaml` : f));
    const files = Object.fromEntries(kept.map((f) => [f, join(root, 'files', f)]));
    writeFileSync(join(root, 'manifest.json'), JSON.stringify({ component: 'kruise', version: kruise.recipe.version, binaries: { 'kruise-manager': join(root, 'bin', 'kruise-manager') }, files, source: 'built', builtAt: '', seconds: 0 }));
    // The CRDs were not copied (a cache pruned by hand): not an install.
    expect(readManifest(kruise, env)).toBeUndefined();
    expect(() => componentFiles('kruise', env)).toThrow(/toolchain component kruise is not installed/);
    for (const f of Object.values(files)) {
      mkdirSync(join(f, '..'), { recursive: true });
      writeFileSync(f, 'kind: CustomResourceDefinition\n');
    }
    expect(componentFiles('kruise', env)).toEqual(files);
  });
});
