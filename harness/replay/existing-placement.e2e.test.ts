import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import { kindLoadImages, startKindCluster, type KindCluster } from '../../cluster/kind/cluster.ts';
import { ecsNodeLabels } from '../../cluster/kind/config.ts';
import { ensureExporterImage, ensureWorkloadImage } from '../../cluster/kind/images.ts';
import { startKruiseManager, type RunningKruise } from '../../cluster/kruise/index.ts';
import { removeClusterDirs } from '../../cluster/local/state.ts';
import { nodePoolsSchema } from '../../cluster/nodes/config.ts';
import { ensureBinaries } from '../../cluster/toolchain/index.ts';

/**
 * A kind cluster stands in for a team's cluster that already runs OpenKruise: the test starts
 * OpenKruise's manager against it (the "team's kruise", `cluster/kruise`, reached by the kind API
 * server at the Docker network's gateway), and the replay gets only a kubeconfig and a namespace.
 * Without that manager the replay is refused before anything is created.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NAME = 'existing-kruise';
const THEIRS = 'existing-kruise-theirs';
const NS = 'ebf-existing-ud';
const MANIFESTS = join(ROOT, 'kinds/placement/uniteddeployment/testdata/ack-hpa/manifests.yaml');

// k = 1: the cluster's kcm keeps its flags, so its 5-minute default scale-down stabilization holds
// (the scenario's hpa.downscaleStabilizationSeconds is a kcm flag, not applied there); the HPA's own
// behavior window, which kcm honours, is set short in a copy of the manifests (`manifestsShort`).
const SCENARIO = `name: existing-ud
description: ACK's UnitedDeployment example, one step up and one down, in real time on a cluster that runs its own OpenKruise.
curve:
  steps: [["07:00:00", 1500], ["07:00:20", 5800], ["07:02:00", 1500]]
windows:
  - {start: "07:00:00", end: "07:05:00"}
compression: 1
devicesPerReplica: 1000
manifests: manifests.yaml
# What the team's cluster has: the ECS pool the ECS subset selects (the kind node carries its label).
nodes:
  ecs: [{name: ecs, count: 1, labels: {alibabacloud.com/nodepool-id: np-ecs}}]
expectations:
  - {type: replicaBounds, of: ew.replicas, min: 1, max: 10}
  - {type: sourceNeverAboveMax}
  - {type: overflowOnlyOnVirtualNode}
  - {type: scaleDownOrder}
`;

/** ACK's example with the HPA's own scale-down window at 15 s (the example has none: kcm's 5 min default would outlast the window). */
const manifestsShort = () => {
  const text = readFileSync(MANIFESTS, 'utf8');
  const out = text.replace('  maxReplicas: 10\n  metrics:', '  maxReplicas: 10\n  behavior: {scaleDown: {stabilizationWindowSeconds: 15}}\n  metrics:');
  if (out === text) throw new Error(`${MANIFESTS}: the HPA's maxReplicas line moved; update the test's behavior patch`);
  return out;
};

let cluster: KindCluster;
let kruise: RunningKruise | undefined;
let kubectlBin: string;
const kubectl = async (...args: string[]) => String((await execa(kubectlBin, ['--kubeconfig', cluster.kubeconfig, ...args])).stdout);
const exists = async (...args: string[]) => (await execa(kubectlBin, ['--kubeconfig', cluster.kubeconfig, 'get', ...args, '-o', 'name'], { reject: false })).exitCode === 0;
const ebbflow = (args: string[]) => execa(process.execPath, [join(ROOT, 'bin/ebbflow.js'), ...args], { cwd: ROOT, reject: false }).then((r) => ({ code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) }));

beforeAll(async () => {
  const pools = nodePoolsSchema.parse({ ecs: [{ name: 'ecs', count: 1, labels: { 'alibabacloud.com/nodepool-id': 'np-ecs' } }] });
  cluster = await startKindCluster({ name: NAME, eci: pools.eci, nodeLabels: ecsNodeLabels(pools) }, { progress: (l) => process.stderr.write(`${l}\n`) });
  kubectlBin = (await ensureBinaries(['kubectl'])).kubectl!;
  await kindLoadImages(NAME, [await ensureExporterImage(), await ensureWorkloadImage()]);
}, 600_000);

afterAll(async () => {
  await kruise?.stop();
  removeClusterDirs(THEIRS);
  await cluster?.stop();
}, 120_000);

describe('replay --backend existing of a UnitedDeployment through the cluster\'s own OpenKruise', () => {
  it('refuses without OpenKruise on the cluster: exit 2 naming what is missing, nothing created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ebf-existing-ud-'));
    writeFileSync(join(dir, 'scenario.yaml'), SCENARIO);
    writeFileSync(join(dir, 'manifests.yaml'), manifestsShort());
    const r = await ebbflow(['replay', join(dir, 'scenario.yaml'), '--out', join(dir, 'out'), '--backend', 'existing', '--kubeconfig', cluster.kubeconfig, '--namespace', NS]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('does not serve uniteddeployments.apps.kruise.io v1alpha1');
    expect(r.stderr).toContain('install OpenKruise on the cluster');
    expect(await exists('namespace', NS)).toBe(false);
    // ebbflow installed nothing of kruise's.
    expect(await exists('crd', 'uniteddeployments.apps.kruise.io')).toBe(false);
  }, 120_000);

  it('with the team\'s kruise running: cluster up reports it, the replay fills ECS first, drains ECI first, and leaves nothing behind', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    const dir = mkdtempSync(join(tmpdir(), 'ebf-existing-ud-'));
    kruise = await startKruiseManager({ cluster: THEIRS, dir, kubeconfig: cluster.kubeconfig, kubeConfig: kc, resources: ['uniteddeployments'], host: cluster.hostAddress });
    const webhooksBefore = await kubectl('get', 'mutatingwebhookconfiguration', 'kruise-mutating-webhook-configuration', '-o', 'jsonpath={.metadata.uid}');
    const up = await ebbflow(['cluster', 'up', '--backend', 'existing', '--kubeconfig', cluster.kubeconfig, '--namespace', NS]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('OpenKruise (UnitedDeployment, WorkloadSpread): UnitedDeployment usable');

    writeFileSync(join(dir, 'scenario.yaml'), SCENARIO);
    writeFileSync(join(dir, 'manifests.yaml'), manifestsShort());
    const out = join(dir, 'out');
    const started = Date.now();
    // What the HPA said while the run went on (its conditions and the namespace's events), for a failure's message.
    const seen: string[] = [];
    const poll = setInterval(() => {
      void Promise.all([
        kubectl('get', 'hpa', '-n', NS, '-o', 'jsonpath={range .items[*].status.conditions[*]}{.type}={.status} {.reason}: {.message}{"\\n"}{end}'),
        kubectl('get', 'events', '-n', NS, '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}'),
        kubectl('get', 'pods', '-n', 'kube-system', '-l', 'component=kube-controller-manager', '-o', 'jsonpath={.items[*].status.containerStatuses[*].restartCount}'),
      ]).then(([c, e, kcm]) => seen.push(`${new Date().toISOString()} kcm restarts ${kcm}\n${c}\n${e}`)).catch(() => {});
    }, 15_000);
    const r = await ebbflow(['replay', join(dir, 'scenario.yaml'), '--out', out, '--backend', 'existing', '--kubeconfig', cluster.kubeconfig, '--namespace', NS]).finally(() => clearInterval(poll));
    writeFileSync(join(dir, 'hpa-seen.txt'), `${seen.join('\n')}\n--- stderr\n${r.stderr}\n--- stdout\n${r.stdout}`);
    process.stderr.write(`HPA conditions and events during the run: ${join(dir, 'hpa-seen.txt')}\n`);
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(`existing UnitedDeployment replay: ${seconds.toFixed(0)} s, exit ${r.code}\n`);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toContain('using the cluster\'s own controller for UnitedDeployment');
    const lines = readFileSync(join(out, 'timeline.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; type?: string; owner?: string; nodeType?: string; ew?: { replicas: number }; pods?: { ecs: { ready: number }; eci: { ready: number } } });
    const samples = lines.filter((l) => l.kind === 'sample');
    // ECS (its subset's maxReplicas 2) filled first; the overflow ran on the virtual node.
    expect(Math.max(...samples.map((s) => s.pods!.ecs.ready))).toBe(2);
    expect(Math.max(...samples.map((s) => s.pods!.eci.ready))).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => l.type === 'pod.ready' && l.nodeType === 'eci')).toBe(true);
    // Scaling in removed ECI pods while ECS kept its two (the scaleDownOrder expectation passed with exit 0).
    const deleted = lines.filter((l) => l.type === 'pod.deleted');
    expect(deleted.length).toBeGreaterThan(0);
    expect(deleted.every((l) => l.owner !== 'source')).toBe(true);
    const last = samples.at(-1)!;
    expect(last.pods!.ecs.ready).toBe(2);
    expect(last.pods!.eci.ready).toBe(0);
    // Nothing left: the namespace and every UnitedDeployment are gone; the team's kruise is untouched.
    expect(await exists('namespace', NS)).toBe(false);
    expect(await kubectl('get', 'uniteddeployments', '-A', '-o', 'name')).toBe('');
    expect(await exists('crd', 'uniteddeployments.apps.kruise.io')).toBe(true);
    expect(await kubectl('get', 'mutatingwebhookconfiguration', 'kruise-mutating-webhook-configuration', '-o', 'jsonpath={.metadata.uid}')).toBe(webhooksBefore);
  }, 600_000);
});
