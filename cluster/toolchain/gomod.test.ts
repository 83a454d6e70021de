import { describe, expect, it } from 'vitest';
import { kubernetesWrapperGoMod, kubeVersionLdflags, requiredModules, simpleWrapperGoMod, stagingModules, stagingVersion, toolsGo } from './gomod.ts';
import { KEDA_EXCLUDE, KEDA_REPLACE, KEDA_VERSION, KRUISE_REPLACE } from './versions.ts';

const upstream = `module k8s.io/kubernetes

go 1.26.0

godebug default=go1.26

require (
\tgithub.com/foo/bar v1.2.3
\tk8s.io/api v0.0.0
\tk8s.io/client-go v0.0.0
\tk8s.io/streaming v0.0.0
)

require k8s.io/kubelet v0.0.0

replace (
\tk8s.io/api => ./staging/src/k8s.io/api
\tk8s.io/client-go => ./staging/src/k8s.io/client-go
\tk8s.io/kubelet => ./staging/src/k8s.io/kubelet
\tk8s.io/sample-cli-plugin => ./staging/src/k8s.io/sample-cli-plugin
\tk8s.io/streaming => ./staging/src/k8s.io/streaming
)
`;

describe('kubernetes wrapper go.mod', () => {
  it('finds staging modules and requirements', () => {
    expect(stagingModules(upstream)).toEqual(['k8s.io/api', 'k8s.io/client-go', 'k8s.io/kubelet', 'k8s.io/sample-cli-plugin', 'k8s.io/streaming']);
    expect([...requiredModules(upstream)].sort()).toEqual(['github.com/foo/bar', 'k8s.io/api', 'k8s.io/client-go', 'k8s.io/kubelet', 'k8s.io/streaming']);
  });

  it('replaces only required staging modules with their published version', () => {
    const mod = kubernetesWrapperGoMod('v1.36.1', upstream);
    expect(mod).toContain('require k8s.io/kubernetes v1.36.1');
    expect(mod).toContain('\tk8s.io/api => k8s.io/api v0.36.1');
    expect(mod).toContain('\tk8s.io/kubelet => k8s.io/kubelet v0.36.1');
    // Not required upstream, and not published on the proxy: a replace would make go fetch it.
    expect(mod).not.toContain('sample-cli-plugin');
    expect(mod).toContain('go 1.26.0');
    expect(mod).toContain('godebug default=go1.26');
  });

  it('maps versions and rejects non-release versions', () => {
    expect(stagingVersion('v1.33.13')).toBe('v0.33.13');
    expect(() => stagingVersion('v1.36.0-rc.1')).toThrow(/release version/);
  });

  it('sets the version for component-base and client-go', () => {
    const f = kubeVersionLdflags('v1.36.1');
    expect(f).toContain('-X k8s.io/component-base/version.gitVersion=v1.36.1');
    expect(f).toContain('-X k8s.io/client-go/pkg/version.gitMinor=36');
  });

  it('writes a build-tagged tools file', () => {
    expect(toolsGo(['a/b'])).toMatch(/^\/\/go:build tools\n\npackage tools\n\nimport \(\n\t_ "a\/b"\n\)/);
  });
});

describe('a wrapper go.mod with the module\'s own replace lines', () => {
  it('repeats them, since Go honours only the main module\'s replacements', () => {
    const mod = simpleWrapperGoMod('kruise', 'github.com/openkruise/kruise', 'v1.9.0', ['k8s.io/api => k8s.io/api v0.32.10', 'golang.org/x/sys => golang.org/x/sys v0.19.0']);
    expect(mod).toContain('require github.com/openkruise/kruise v1.9.0\n');
    expect(mod).toContain('replace (\n\tk8s.io/api => k8s.io/api v0.32.10\n\tgolang.org/x/sys => golang.org/x/sys v0.19.0\n)\n');
    expect(simpleWrapperGoMod('k6', 'go.k6.io/k6', 'v1.8.1')).not.toContain('replace');
  });

  it('repeats its exclude lines too (KEDA builds only with its own)', () => {
    const mod = simpleWrapperGoMod('keda', 'github.com/kedacore/keda/v2', KEDA_VERSION, KEDA_REPLACE, KEDA_EXCLUDE);
    expect(mod).toContain(`require github.com/kedacore/keda/v2 ${KEDA_VERSION}\n`);
    expect(mod).toContain('exclude (\n\tgithub.com/go-chi/chi/v5 v5.2.3\n)\n');
    expect(mod).toMatch(/replace \(\n\tgithub\.com\/nexus-rpc\/nexus-proto-annotations v0\.1\.0 => github\.com\/nexus-rpc\/nexus-proto-annotations v0\.1\.1-/);
    expect(simpleWrapperGoMod('k6', 'go.k6.io/k6', 'v1.8.1', [], [])).not.toContain('exclude');
  });

  it('kruise v1.9.0\'s block: 31 modules, each once, the k8s.io ones at v0.32.10 but kube-proxy and kube-scheduler as upstream pins them', () => {
    const olds = KRUISE_REPLACE.map((r) => r.split(' => ')[0]);
    expect(new Set(olds).size).toBe(31);
    expect(KRUISE_REPLACE).toContain('k8s.io/kube-proxy => k8s.io/kube-proxy v0.30.9');
    expect(KRUISE_REPLACE).toContain('k8s.io/kube-scheduler => k8s.io/kube-scheduler v0.32.0');
    expect(KRUISE_REPLACE.filter((r) => r.endsWith(' v0.32.10'))).toHaveLength(28);
    for (const r of KRUISE_REPLACE) expect(r).toMatch(/^(\S+) => \1 v\d+\.\d+\.\d+$/);
  });
});
