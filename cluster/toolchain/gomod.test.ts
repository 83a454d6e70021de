import { describe, expect, it } from 'vitest';
import { kubernetesWrapperGoMod, kubeVersionLdflags, requiredModules, stagingModules, stagingVersion, toolsGo } from './gomod.ts';

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
