import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { CoreV1Api, KubeConfig, Watch, type V1Pod } from '@kubernetes/client-node';
import { sharedKindCluster, type SharedKindCluster } from '../cluster/kind/testing.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const tiny = join(repo, 'scenarios/tiny.yaml');
// 3 × 2 configurations and a growth factor: every input the shards receive through the ConfigMap.
const sweep = ['whatif', tiny, '--vary', 'sourceMax=0..2', '--vary', 'target=2500,3500', '--growth', '1.2', '--top', '0'];
const FILES = ['results.csv', 'frontier.csv', 'frontier.json', 'frontier.html'];

let cluster: SharedKindCluster;
let kc: KubeConfig;
const out = mkdtempSync(join(tmpdir(), 'ebbflow-whatif-e2e-'));
/** Every shard pod the API showed while the sweep ran: name → { completion index, phase }. */
const seen = new Map<string, { index?: string; phase?: string; namespace?: string }>();
let stopWatch: AbortController | undefined;

const ebbflow = (args: string[]) => execa('node', [join(repo, 'bin/ebbflow.js'), ...args], { reject: false, all: true, env: { ...process.env, EBBFLOW_LOG_LEVEL: 'warn' } });

beforeAll(async () => {
  // The shared kind cluster: the sweep makes (and deletes) its own namespaces, labelled as the whatif's.
  cluster = await sharedKindCluster();
  kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  stopWatch = await new Watch(kc).watch('/api/v1/pods', { labelSelector: 'app.kubernetes.io/component=whatif-shard' }, (_type, pod: V1Pod) => {
    seen.set(pod.metadata!.name!, { index: pod.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'], phase: pod.status?.phase, namespace: pod.metadata?.namespace });
  }, () => {});
});

afterAll(() => {
  stopWatch?.abort();
});

describe('whatif --on-cluster (Indexed Job on kind)', () => {
  it('writes the same results.csv, frontier.csv, frontier.json and frontier.html as the local sweep, byte for byte', async () => {
    const onCluster = await ebbflow([...sweep, '--out', join(out, 'cluster'), '--on-cluster', '--kubeconfig', cluster.kubeconfig, '--shards', '3']);
    process.stderr.write(`${onCluster.all}\n`);
    // 0 when a configuration passes tiny.yaml's expectations, 1 when none does: the same either way.
    expect([0, 1], onCluster.all).toContain(onCluster.exitCode);
    expect(onCluster.all).toMatch(/6 configurations in 3 shards, image ebbflow\/ebbflow:\d+\.\d+\.\d+-[0-9a-f]{12}/);
    expect(onCluster.all).toMatch(/3\/3 shards/);
    const local = await ebbflow([...sweep, '--out', join(out, 'local')]);
    expect(local.exitCode, local.all).toBe(onCluster.exitCode);
    for (const f of FILES) expect(readFileSync(join(out, 'cluster', f), 'utf8'), f).toBe(readFileSync(join(out, 'local', f), 'utf8'));
    expect(readFileSync(join(out, 'local', 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(7);
  });

  it('ran one succeeded pod per completion index 0..2, in a temporary namespace it deleted', async () => {
    const succeeded = [...seen.values()].filter((p) => p.phase === 'Succeeded');
    expect(succeeded.map((p) => p.index).sort()).toEqual(['0', '1', '2']);
    const ns = succeeded[0]!.namespace!;
    expect(ns).toMatch(/^ebbflow-whatif-[0-9a-f]{8}$/);
    const core = kc.makeApiClient(CoreV1Api);
    // Deleted: gone, or Terminating with its deletion timestamp set.
    const left = await core.readNamespace({ name: ns }).catch((e: { code?: number }) => (e.code === 404 ? undefined : Promise.reject(e)));
    expect(left?.metadata?.deletionTimestamp ?? 'gone').toBeTruthy();
    expect(left?.status?.phase ?? 'Terminating').toBe('Terminating');
  });

  it('refuses a namespace that does not exist, before building or creating anything', async () => {
    const r = await ebbflow([...sweep, '--out', join(out, 'nons'), '--on-cluster', '--kubeconfig', cluster.kubeconfig, '--namespace', 'no-such-ns']);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.all).toMatch(/--namespace no-such-ns: namespaces "no-such-ns" not found/);
    expect(r.all).not.toMatch(/Indexed Job|kind load/);
  });

  it('fails at once, exit 2 with the fix, when the cluster cannot pull the image, and leaves no namespace behind', async () => {
    const r = await ebbflow([...sweep, '--out', join(out, 'nopull'), '--on-cluster', '--kubeconfig', cluster.kubeconfig, '--image', 'ebbflow/never-built:0']);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.all).toMatch(/the sweep Job's pods cannot start: pod ebbflow-whatif-[0-9a-f]{8}-\d+-\w+: (ErrImagePull|ImagePullBackOff)/);
    expect(r.all).toMatch(/hint: the cluster must be able to pull ebbflow\/never-built:0/);
    const core = kc.makeApiClient(CoreV1Api);
    const left = await core.listNamespace({ labelSelector: 'app.kubernetes.io/managed-by=ebbflow-whatif' });
    expect(left.items.filter((n) => !n.metadata?.deletionTimestamp).map((n) => n.metadata?.name)).toEqual([]);
  });

  it('on Ctrl-C deletes the Job and its namespace and exits 130', async () => {
    // 60 configurations of 150 days: the shards run for seconds, long enough to be interrupted.
    const p = execa('node', [join(repo, 'bin/ebbflow.js'), 'whatif', tiny, '--vary', 'sourceMax=0..19', '--vary', 'target=2500,3500,4500', '--days', '150', '--out', join(out, 'interrupted'), '--on-cluster', '--kubeconfig', cluster.kubeconfig, '--shards', '3'], { reject: false, all: true });
    let seen0 = false;
    p.stderr!.on('data', (d: Buffer) => {
      if (!seen0 && /0\/3 shards/.test(String(d))) {
        seen0 = true;
        p.kill('SIGINT');
      }
    });
    const r = await p;
    expect(seen0, r.all).toBe(true);
    expect(r.exitCode, r.all).toBe(130);
    expect(r.all).toMatch(/interrupted: .*the Job and its inputs are deleted/);
    const core = kc.makeApiClient(CoreV1Api);
    const left = await core.listNamespace({ labelSelector: 'app.kubernetes.io/managed-by=ebbflow-whatif' });
    expect(left.items.filter((n) => !n.metadata?.deletionTimestamp).map((n) => n.metadata?.name)).toEqual([]);
  });
});
