import { execa } from 'execa';
import { binaryOwners } from './versions.ts';

/**
 * How each binary tells its own version. prometheus-adapter has no --version flag, so for it (and
 * as a fallback) we read the module version Go embedded in the binary (`go version -m`).
 */
const PROBES: Record<string, { args: string[]; pattern: RegExp }> = {
  'kube-apiserver': { args: ['--version'], pattern: /Kubernetes (v[\d.]+)/ },
  'kube-controller-manager': { args: ['--version'], pattern: /Kubernetes (v[\d.]+)/ },
  'kube-scheduler': { args: ['--version'], pattern: /Kubernetes (v[\d.]+)/ },
  kubelet: { args: ['--version'], pattern: /Kubernetes (v[\d.]+)/ },
  'kube-proxy': { args: ['--version'], pattern: /Kubernetes (v[\d.]+)/ },
  kubeadm: { args: ['version', '-o', 'short'], pattern: /(v[\d.]+)/ },
  kind: { args: ['version'], pattern: /kind (v[\d.]+)/ },
  kubectl: { args: ['version', '--client'], pattern: /Client Version: (v[\d.]+)/ },
  etcd: { args: ['--version'], pattern: /etcd Version: ([\d.]+)/ },
  kwok: { args: ['--version'], pattern: /version (v[\d.]+)/ },
  kwokctl: { args: ['--version'], pattern: /version (v[\d.]+)/ },
  k6: { args: ['version'], pattern: /k6 (v[\d.]+)/ },
  prometheus: { args: ['--version'], pattern: /prometheus, version ([\d.]+)/ },
  promtool: { args: ['--version'], pattern: /promtool, version ([\d.]+)/ },
  'sls-python': { args: ['-c', "import importlib.metadata as m; print('aliyun-log-python-sdk', m.version('aliyun-log-python-sdk'))"], pattern: /aliyun-log-python-sdk ([\d.]+)/ },
};

export async function probeVersion(binary: string, path: string): Promise<string | undefined> {
  const probe = PROBES[binary];
  if (probe) {
    const r = await execa(path, probe.args, { reject: false, all: true, timeout: 20_000 });
    const m = probe.pattern.exec(String(r.all ?? ''));
    if (m?.[1]) return m[1].startsWith('v') ? m[1] : `v${m[1]}`;
  }
  const owner = binaryOwners().get(binary);
  if (owner?.recipe.kind === 'go' || owner?.recipe.kind === 'go-local') {
    const r = await execa('go', ['version', '-m', path], { reject: false, all: true, timeout: 20_000 });
    const mod = owner.recipe.module.replace(/[.]/g, '\\.');
    const m = new RegExp(`\\s(?:dep|mod)\\s+${mod}\\s+(v\\S+)`).exec(String(r.all ?? ''));
    if (m?.[1]) return m[1];
  }
  return undefined;
}

/** True when what the binary reports matches the pinned version (Debian revisions ignored). */
export function versionMatches(pinned: string, reported: string | undefined): boolean {
  if (!reported) return false;
  const norm = (v: string) => v.replace(/^v/, '').split(/[+~-]/)[0];
  return norm(pinned) === norm(reported);
}
