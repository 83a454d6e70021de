/**
 * Pure generation of the wrapper modules that let us build upstream binaries with the Go module
 * proxy alone. k8s.io/kubernetes replaces each staging module (k8s.io/api, ...) with a local
 * path, which `go install pkg@version` refuses; a wrapper module that requires k8s.io/kubernetes
 * and replaces every staging module with its published twin (k8s.io/<name> v0.<minor>.<patch>)
 * builds the same code.
 */

/** The staging modules k8s.io/kubernetes replaces with ./staging paths, read from its go.mod. */
export function stagingModules(upstreamGoMod: string): string[] {
  const out: string[] = [];
  const re = /^\s*(?:replace\s+)?(k8s\.io\/[A-Za-z0-9._/-]+)\s*=>\s*\.\/staging\//gm;
  for (const m of upstreamGoMod.matchAll(re)) if (m[1]) out.push(m[1]);
  return [...new Set(out)].sort();
}

/** The modules the upstream go.mod requires at all (a replace for a module not required is dead). */
export function requiredModules(upstreamGoMod: string): Set<string> {
  const req = new Set<string>();
  const block = /^require\s*\(([\s\S]*?)^\)/gm;
  for (const b of upstreamGoMod.matchAll(block)) {
    for (const line of (b[1] ?? '').split('\n')) {
      const mod = line.trim().split(/\s+/)[0];
      if (mod && !mod.startsWith('//')) req.add(mod);
    }
  }
  for (const m of upstreamGoMod.matchAll(/^require\s+([^\s(]+)\s+\S+/gm)) if (m[1]) req.add(m[1]);
  return req;
}

export function goDirective(upstreamGoMod: string): string {
  return /^go\s+(\S+)/m.exec(upstreamGoMod)?.[1] ?? '1.24.0';
}

/** v1.36.1 → v0.36.1, the version under which the staging modules are published. */
export function stagingVersion(kubeVersion: string): string {
  const m = /^v1\.(\d+)\.(\d+)$/.exec(kubeVersion);
  if (!m) throw new Error(`not a Kubernetes release version: ${kubeVersion}`);
  return `v0.${m[1]}.${m[2]}`;
}

export function kubernetesWrapperGoMod(kubeVersion: string, upstreamGoMod: string): string {
  const required = requiredModules(upstreamGoMod);
  const staging = stagingModules(upstreamGoMod).filter((m) => required.has(m));
  const sv = stagingVersion(kubeVersion);
  const goVer = goDirective(upstreamGoMod);
  const godebugMinor = goVer.split('.').slice(0, 2).join('.');
  return [
    'module ebbflow.local/toolchain/kubernetes',
    '',
    `go ${goVer}`,
    '',
    `godebug default=go${godebugMinor}`,
    '',
    `require k8s.io/kubernetes ${kubeVersion}`,
    '',
    'replace (',
    ...staging.map((m) => `\t${m} => ${m} ${sv}`),
    ')',
    '',
  ].join('\n');
}

/** `go mod tidy` raises the go line to what the required module needs. */
export function simpleWrapperGoMod(name: string, module: string, version: string, replace: readonly string[] = [], exclude: readonly string[] = []): string {
  const lines = [`module ebbflow.local/toolchain/${name}`, '', 'go 1.22.0', '', `require ${module} ${version}`, ''];
  if (replace.length) lines.push('replace (', ...replace.map((r) => `\t${r}`), ')', '');
  if (exclude.length) lines.push('exclude (', ...exclude.map((x) => `\t${x}`), ')', '');
  return lines.join('\n');
}

/** A build-tagged file importing the mains so `go mod tidy` records their dependencies. */
export function toolsGo(pkgs: string[]): string {
  return ['//go:build tools', '', 'package tools', '', 'import (', ...pkgs.map((p) => `\t_ "${p}"`), ')', ''].join('\n');
}

/** -X flags that make kube binaries report their real version instead of v0.0.0. */
export function kubeVersionLdflags(kubeVersion: string): string[] {
  const m = /^v(\d+)\.(\d+)\.\d+$/.exec(kubeVersion);
  if (!m) throw new Error(`not a Kubernetes release version: ${kubeVersion}`);
  const flags: string[] = [];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    flags.push(`-X ${pkg}.gitVersion=${kubeVersion}`, `-X ${pkg}.gitMajor=${m[1]}`, `-X ${pkg}.gitMinor=${m[2]}`);
    flags.push(`-X ${pkg}.gitTreeState=clean`);
  }
  return flags;
}
