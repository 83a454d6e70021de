import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import { OwnedNamespaceComponent } from '../../cluster/existing/namespace.ts';
import { kindLoadImages, startKindCluster, type KindCluster } from '../../cluster/kind/cluster.ts';
import { ecsNodeLabels } from '../../cluster/kind/config.ts';
import { ensureExporterImage, ensureWorkloadImage } from '../../cluster/kind/images.ts';
import { removeClusterDirs } from '../../cluster/local/state.ts';
import { nodePoolsSchema } from '../../cluster/nodes/config.ts';
import { ensureBinaries } from '../../cluster/toolchain/index.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { Interrupted, Stack } from '../../core/component.ts';
import { UserError } from '../../core/errors.ts';
import { startAdapter } from '../pipeline/adapter.ts';
import { startPrometheus } from '../pipeline/prometheus.ts';
import { runReplay } from './engine/engine.ts';

/**
 * A kind cluster stands in for one ebbflow did not create (ACK staging): it is started here with
 * kcm's default flags, the test plays the registry (`kind load`), and the replay only gets a
 * kubeconfig and a namespace.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NAME = 'existing-e2e';
const NS = 'ebf-existing-e2e';
let cluster: KindCluster;
let kubectl: (...args: string[]) => Promise<string>;
let kcmBefore: string;

const SCENARIO = `name: existing-short
description: A step up half a minute in, replayed in real time on a cluster ebbflow did not create.
curve:
  steps: [["07:00:00", 1500], ["07:00:20", 4800]]
windows:
  - {start: "07:00:00", end: "07:02:00"}
compression: 1
devicesPerReplica: 1000
hpa:
  minReplicas: 1
  maxReplicas: 10
  target: {type: AverageValue, value: 1000}
elasticWorkload:
  sourceMax: 2
expectations:
  - {type: replicaBounds, of: ew.replicas, min: 1, max: 10}
  - {type: sourceNeverAboveMax}
`;

function ebbflow(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return execa(process.execPath, [join(ROOT, 'bin/ebbflow.js'), ...args], { cwd: ROOT, reject: false }).then((r) => ({ code: r.exitCode ?? null, stdout: String(r.stdout), stderr: String(r.stderr) }));
}

function replay(args: string[], onTick?: () => Promise<void>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/ebbflow.js'), 'replay', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Observes the cluster while the replay runs (what is there, not when: nothing waits on it).
    let busy = false;
    const t = onTick ? setInterval(() => {
      if (busy) return;
      busy = true;
      void onTick().catch(() => {}).finally(() => (busy = false));
    }, 3000) : undefined;
    child.on('exit', (code) => {
      clearInterval(t);
      resolve({ code, stdout, stderr });
    });
  });
}

const kcmManifest = async () => String((await execa('docker', ['exec', cluster.nodeContainer, 'cat', '/etc/kubernetes/manifests/kube-controller-manager.yaml'])).stdout);
const exists = async (...args: string[]) => (await execa((await ensureBinaries(['kubectl'])).kubectl!, ['--kubeconfig', cluster.kubeconfig, 'get', ...args, '-o', 'name'], { reject: false })).exitCode === 0;

beforeAll(async () => {
  const pools = nodePoolsSchema.parse({ ecs: [{ name: 'ecs', count: 1 }] });
  cluster = await startKindCluster({ name: NAME, eci: pools.eci, nodeLabels: ecsNodeLabels(pools) }, { progress: (l) => process.stderr.write(`${l}\n`) });
  const { kubectl: bin } = await ensureBinaries(['kubectl']);
  kubectl = async (...args) => String((await execa(bin!, ['--kubeconfig', cluster.kubeconfig, ...args])).stdout);
  await kindLoadImages(NAME, [await ensureExporterImage(), await ensureWorkloadImage()]);
  kcmBefore = await kcmManifest();
}, 600_000);

afterAll(async () => {
  await cluster?.stop();
}, 120_000);

describe('replay --backend existing (a kind cluster standing in for ACK staging)', () => {
  it('cluster up --backend existing inspects the cluster and what a replay needs; cluster down refuses', async () => {
    const up = await ebbflow(['cluster', 'up', '--backend', 'existing', '--kubeconfig', cluster.kubeconfig, '--namespace', NS]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/is reachable, Kubernetes v1\.36\.1/);
    expect(up.stdout).toContain('custom metrics API: none; a run registers ebbflow\'s adapter');
    expect(up.stdout).toMatch(/permissions: (\d+)\/\1 allowed/);
    expect(up.stdout).toContain(`namespace ${NS}: does not exist`);
    expect(await exists('namespace', NS)).toBe(false);
    // A service account with no rights: every permission is reported missing, exit 2.
    await kubectl('create', 'serviceaccount', 'no-rights', '-n', 'default');
    const token = (await kubectl('create', 'token', 'no-rights', '-n', 'default')).trim();
    const dir = mkdtempSync(join(tmpdir(), 'ebf-existing-'));
    const server = (await kubectl('config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}')).trim();
    const limited = join(dir, 'limited.yaml');
    writeFileSync(limited, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]\ncontexts: [{name: limited, context: {cluster: c, user: u}}]\ncurrent-context: limited\nusers: [{name: u, user: {token: "${token}"}}]\n`);
    const denied = await ebbflow(['cluster', 'up', '--backend', 'existing', '--kubeconfig', limited, '--namespace', NS]);
    expect(denied.code, denied.stderr).toBe(2);
    expect(denied.stdout).toContain('  missing: create namespaces (create the run\'s own namespace)');
    expect(denied.stderr).toMatch(/permissions? a replay needs (is|are) missing/);
    const down = await ebbflow(['cluster', 'down', '--backend', 'existing']);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain('ebbflow never stops a cluster it did not create');
  }, 120_000);

  it('refuses a namespace it did not create: exit 2, nothing created, the namespace untouched', async () => {
    await kubectl('create', 'namespace', 'team-a');
    const dir = mkdtempSync(join(tmpdir(), 'ebf-existing-'));
    writeFileSync(join(dir, 'scenario.yaml'), SCENARIO);
    const r = await replay([join(dir, 'scenario.yaml'), '--out', join(dir, 'out'), '--backend', 'existing', '--kubeconfig', cluster.kubeconfig, '--namespace', 'team-a']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('namespace team-a already exists and was not created by ebbflow');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const ns = JSON.parse(await kubectl('get', 'namespace', 'team-a', '-o', 'json')) as { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> }; status: { phase: string } };
    expect(ns.status.phase).toBe('Active');
    expect(ns.metadata.labels?.['ebbflow.io/owner']).toBeUndefined();
    expect(ns.metadata.annotations?.['ebbflow.io/run-id']).toBeUndefined();
    expect(await kubectl('get', 'deployments,services,pods', '-n', 'team-a', '-o', 'name')).toBe('');
    expect(await exists('apiservice', 'v1beta2.custom.metrics.k8s.io')).toBe(false);
    expect(await exists('crd', 'elasticworkloads.autoscaling.alibabacloud.com')).toBe(false);
  }, 120_000);

  it('Ctrl-C during start-up still deletes the owned namespace and waits until it is gone', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    const ac = new AbortController();
    const stack = new Stack({ signal: ac.signal });
    const ns = await stack.up(new OwnedNamespaceComponent({ kubeConfig: kc, name: 'ebf-interrupted' }));
    expect(JSON.parse(await kubectl('get', 'namespace', 'ebf-interrupted', '-o', 'json'))).toMatchObject({ metadata: { annotations: { 'ebbflow.io/run-id': ns.runId } } });
    await kubectl('-n', 'ebf-interrupted', 'create', 'configmap', 'left-by-the-run', '--from-literal=a=b');
    // A component that is still starting when the user presses Ctrl-C.
    const hanging = stack.up({ name: 'hanging', start: () => new Promise<void>(() => {}), stop: async () => {} });
    ac.abort();
    await expect(hanging).rejects.toBeInstanceOf(Interrupted);
    expect(await exists('namespace', 'ebf-interrupted')).toBe(false);
  }, 120_000);

  it('replays at k=1 in a namespace it owns, scales up, and leaves the cluster as it found it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ebf-existing-'));
    writeFileSync(join(dir, 'scenario.yaml'), SCENARIO);
    const out = join(dir, 'out');
    const seen = { label: '', exporterPods: 0, workloadPods: 0, apiService: false };
    const r = await replay([join(dir, 'scenario.yaml'), '--out', out, '--backend', 'existing', '--kubeconfig', cluster.kubeconfig, '--namespace', NS], async () => {
      const ns = JSON.parse(await kubectl('get', 'namespace', NS, '-o', 'json')) as { metadata: { labels?: Record<string, string> } };
      seen.label = ns.metadata.labels?.['ebbflow.io/owner'] ?? seen.label;
      const pods = JSON.parse(await kubectl('get', 'pods', '-n', NS, '-o', 'json')) as { items: { metadata: { name: string }; status: { phase: string } }[] };
      const running = pods.items.filter((p) => p.status.phase === 'Running').map((p) => p.metadata.name);
      seen.exporterPods = Math.max(seen.exporterPods, running.filter((n) => n.startsWith('sls-exporter-')).length);
      seen.workloadPods = Math.max(seen.workloadPods, running.filter((n) => n.startsWith('nginx-')).length);
      seen.apiService ||= await exists('apiservice', 'v1beta2.custom.metrics.k8s.io');
    });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    // The run's objects were in its namespace, labelled as ebbflow's, as real pods.
    expect(seen.label).toBe('ebbflow');
    expect(seen.exporterPods).toBeGreaterThan(0);
    expect(seen.workloadPods).toBeGreaterThan(0);
    // kind has no custom metrics adapter: ebbflow registered its own for the run.
    expect(seen.apiService).toBe(true);
    const lines = readFileSync(join(out, 'timeline.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; type?: string; nodeType?: string; ew?: { replicas: number } });
    const replicas = lines.filter((l) => l.kind === 'sample').map((l) => l.ew?.replicas ?? 0);
    expect(replicas[0]).toBe(2);
    expect(Math.max(...replicas)).toBeGreaterThanOrEqual(4);
    expect(lines.some((l) => l.type === 'hpa.rescale')).toBe(true);
    // The overflow ran on the cluster's virtual node (vk-eci here, ACK's virtual-kubelet there).
    expect(lines.some((l) => l.type === 'pod.ready' && l.nodeType === 'eci')).toBe(true);
    // Everything it created is gone, and nothing the cluster had was changed.
    expect(await exists('namespace', NS)).toBe(false);
    expect(await exists('apiservice', 'v1beta2.custom.metrics.k8s.io')).toBe(false);
    expect(await exists('apiservice', 'v1beta1.custom.metrics.k8s.io')).toBe(false);
    expect(await exists('crd', 'elasticworkloads.autoscaling.alibabacloud.com')).toBe(false);
    expect(await exists('namespace', 'team-a')).toBe(true);
    expect(await kcmManifest()).toBe(kcmBefore);
  }, 420_000);

  it('uses the cluster\'s own adapter when it has one: registers nothing, deploys the ServiceMonitor, and a metric it never serves is a clear error', async () => {
    // The "cluster's own" monitoring: an Available custom metrics APIService (a prometheus-adapter over
    // a Prometheus that scrapes nothing) and the ServiceMonitor CRD, as prometheus-operator installs it.
    const crd = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: servicemonitors.monitoring.coreos.com}\nspec:\n  group: monitoring.coreos.com\n  scope: Namespaced\n  names: {kind: ServiceMonitor, plural: servicemonitors, singular: servicemonitor, listKind: ServiceMonitorList}\n  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]\n';
    await execa((await ensureBinaries(['kubectl'])).kubectl!, ['--kubeconfig', cluster.kubeconfig, 'apply', '-f', '-'], { input: crd });
    const dir = mkdtempSync(join(tmpdir(), 'ebf-existing-own-'));
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    const theirs = 'existing-e2e-theirs';
    // A target that never answers: the adapter is Available, but no series ever reaches it.
    let prom: Awaited<ReturnType<typeof startPrometheus>> | undefined;
    let adapter: Awaited<ReturnType<typeof startAdapter>> | undefined;
    try {
      prom = await startPrometheus({ cluster: theirs, dir, targets: [{ job: 'nothing', address: '127.0.0.1:9', intervalSeconds: 15 }], compression: 1 });
      adapter = await startAdapter({ cluster: theirs, dir, kubeconfig: cluster.kubeconfig, kubeConfig: kc, prometheusUrl: prom.url, rulesYaml: readFileSync(join(ROOT, 'manifests/base/adapter/rules.yaml'), 'utf8'), relistSeconds: 30, compression: 1, namespace: 'monitoring', bindAddress: cluster.hostAddress });
      const before = await kubectl('get', 'apiservice', 'v1beta2.custom.metrics.k8s.io', '-o', 'jsonpath={.metadata.uid} {.spec.service.namespace}/{.spec.service.name}');
      writeFileSync(join(dir, 'scenario.yaml'), SCENARIO);
      const seen = { serviceMonitor: false, annotated: false };
      const poll = setInterval(() => {
        void (async () => {
          seen.serviceMonitor ||= await exists('servicemonitor', 'sls-exporter', '-n', 'ebf-own-adapter');
          const a = await kubectl('get', 'deployment', 'sls-exporter', '-n', 'ebf-own-adapter', '-o', 'jsonpath={.spec.template.metadata.annotations.prometheus\\.io/scrape}').catch(() => '');
          seen.annotated ||= a === 'true';
        })().catch(() => {});
      }, 2000);
      try {
        const scenario = await loadScenario(join(dir, 'scenario.yaml'));
        const err = await runReplay({ scenario, out: join(dir, 'out'), backend: 'existing', kubeconfig: cluster.kubeconfig, namespace: 'ebf-own-adapter', warmupTimeoutSeconds: 20 }).then(() => undefined, (e: unknown) => e as UserError);
        expect(err).toBeInstanceOf(UserError);
        expect(err!.message).toBe('the custom metrics API did not serve active_devices for services/nginx in ebf-own-adapter within 20 s');
        expect(err!.hint).toContain('the cluster\'s adapter (v1beta2.custom.metrics.k8s.io → monitoring/prometheus-adapter) must serve active_devices');
        expect(err!.hint).toContain('active_devices{namespace="ebf-own-adapter",service="nginx"}');
        expect(err!.hint).toContain('serviceMonitorSelector');
        expect(err!.hint).toContain('seriesQuery');
      } finally {
        clearInterval(poll);
      }
      expect(seen.serviceMonitor).toBe(true);
      expect(seen.annotated).toBe(true);
      // The cluster's APIService is the same object as before, and the run's namespace is gone.
      expect(await kubectl('get', 'apiservice', 'v1beta2.custom.metrics.k8s.io', '-o', 'jsonpath={.metadata.uid} {.spec.service.namespace}/{.spec.service.name}')).toBe(before);
      expect(await exists('namespace', 'ebf-own-adapter')).toBe(false);
      expect(await exists('crd', 'servicemonitors.monitoring.coreos.com')).toBe(true);
    } finally {
      await adapter?.stop();
      await prom?.stop();
      removeClusterDirs(theirs);
      await kubectl('delete', 'apiservice', 'v1beta1.custom.metrics.k8s.io', 'v1beta2.custom.metrics.k8s.io', '--ignore-not-found');
    }
  }, 240_000);
});
