import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { ensureBinaries } from '../../cluster/toolchain/index.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { initProject } from './init.ts';
import { GITLAB_GO } from './templates.ts';

const dirs: string[] = [];
const repo = () => {
  const d = mkdtempSync(join(tmpdir(), 'ebbflow-ci-files-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const write = (root: string, path: string, text: string) => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
};

const hpa = (target: string) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: chat}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: chat}
  minReplicas: 2
  maxReplicas: 20
  metrics:
    - type: Object
      object:
        describedObject: {apiVersion: v1, kind: Service, name: chat}
        metric: {name: active_devices}
        target: ${target}
`;

/** A team's layout: the overlay given to init, its HPA in a base outside it, a shared component, a patch. */
function teamRepo(target: string): string {
  const root = repo();
  write(root, 'deploy/overlays/prod/kustomization.yaml', 'resources: [../../base]\ncomponents: [../../components/monitoring]\npatches:\n  - path: replicas.yaml\n');
  write(root, 'deploy/overlays/prod/replicas.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: chat}\nspec: {replicas: 3}\n');
  write(root, 'deploy/base/kustomization.yaml', 'resources: [deployment.yaml, hpa.yaml, https://example.com/remote.yaml]\n');
  write(root, 'deploy/base/deployment.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: chat}\n');
  write(root, 'deploy/base/hpa.yaml', hpa(target));
  write(root, 'deploy/components/monitoring/kustomization.yaml', 'kind: Component\nresources: [rules.yaml]\n');
  write(root, 'deploy/components/monitoring/rules.yaml', 'kind: ConfigMap\nmetadata: {name: rules}\n');
  write(root, 'deploy/unrelated/x.yaml', 'kind: ConfigMap\n');
  return root;
}

describe('the CI files init writes', () => {
  it('the GitHub workflow passes actionlint with no findings', { timeout: 300_000 }, async () => {
    const { actionlint } = await ensureBinaries(['actionlint']);
    const root = teamRepo('{type: AverageValue, averageValue: "1500"}');
    initProject({ root, dir: 'ci/ebbflow', manifests: 'deploy/overlays/prod', version: '1.0.0' });
    const r = await execa(actionlint!, ['-no-color', '.github/workflows/ebbflow.yml'], { cwd: root, reject: false, all: true });
    expect(r.all).toBe('');
    expect(r.exitCode).toBe(0);
    // The same tool finds a broken workflow: the check is not vacuous.
    writeFileSync(join(root, '.github/workflows/ebbflow.yml'), readFileSync(join(root, '.github/workflows/ebbflow.yml'), 'utf8').replace('github.base_ref', 'github.base_reff'));
    const bad = await execa(actionlint!, ['-no-color', '.github/workflows/ebbflow.yml'], { cwd: root, reject: false, all: true });
    expect(bad.exitCode).toBe(1);
    expect(bad.all).toContain('base_reff');
  });

  it('the workflow simulates the target branch, comments once, pins actions by commit, uploads every output and filters on the kustomize closure', () => {
    const root = teamRepo('{type: AverageValue, averageValue: 1500}');
    initProject({ root, dir: 'ci/ebbflow', manifests: 'deploy/overlays/prod', version: '1.0.0' });
    const text = readFileSync(join(root, '.github/workflows/ebbflow.yml'), 'utf8');
    const wf = parse(text) as {
      on: { pull_request: { paths: string[] } };
      permissions: Record<string, string>;
      concurrency: { group: string; 'cancel-in-progress': boolean };
      jobs: { autoscaling: { steps: { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> }[] } };
    };
    expect(wf.on.pull_request.paths).toEqual(['ci/ebbflow/**', 'deploy/overlays/prod/**', 'deploy/base/**', 'deploy/components/monitoring/**', 'package-lock.json']);
    expect(wf.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(wf.concurrency).toEqual({ group: 'ebbflow-${{ github.event.pull_request.number || github.ref }}', 'cancel-in-progress': true });
    const steps = wf.jobs.autoscaling.steps;
    for (const line of text.split('\n').filter((l) => l.includes('uses: '))) expect(line).toMatch(/uses: [\w-]+\/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    const base = steps.find((s) => s.with?.path === '.ebbflow-base')!;
    expect(base.with?.ref).toBe('${{ github.base_ref }}');
    expect(steps.find((s) => s.name === 'simulate the target branch')!.run).toContain("npx ebbflow simulate .ebbflow-base/ci/ebbflow/scenario.yaml --out out-base");
    expect(steps.map((s) => s.run)).toContain('npx ebbflow simulate ci/ebbflow/scenario.yaml --out out-pr ${BASELINE:+--baseline "$BASELINE"}');
    const comment = steps.find((s) => s.run?.includes('ci comment'))!;
    expect(comment.run).toBe('npx ebbflow ci comment --github --file out-pr/summary.md');
    expect(comment.env).toEqual({ GITHUB_TOKEN: '${{ github.token }}' });
    expect(comment.if).toContain('always()');
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(String(upload.with?.path).trim().split('\n')).toEqual(['out-base/', 'out-pr/', 'out/']);
  });

  it('the GitLab example verifies Go against its published checksum, keys its cache on the toolchain key and posts the note', () => {
    const root = repo();
    initProject({ root, dir: 'ebbflow', version: '1.0.0' });
    const gl = parse(readFileSync(join(root, 'ebbflow/gitlab-ci.example.yml'), 'utf8')) as Record<string, { script?: string[]; before_script?: string[]; after_script?: string[]; cache?: { key: string }; variables?: Record<string, string>; needs?: string[]; artifacts?: { paths?: string[]; reports?: { dotenv?: string } } }>;
    const key = gl['ebbflow-toolchain-key']!;
    expect(key.script).toContain('echo "EBBFLOW_TOOLCHAIN_KEY=$(npx ebbflow toolchain key)" > toolchain-key.env');
    expect(key.artifacts?.reports?.dotenv).toBe('toolchain-key.env');
    const job = gl.ebbflow!;
    expect(job.needs).toEqual(['ebbflow-toolchain-key']);
    expect(job.cache?.key).toBe('$EBBFLOW_TOOLCHAIN_KEY');
    expect(job.variables?.GO_SHA256).toMatch(/^[0-9a-f]{64}$/);
    expect(job.variables).toMatchObject({ GO_VERSION: GITLAB_GO.version, GO_SHA256: GITLAB_GO.sha256 });
    const before = job.before_script!;
    expect(before.indexOf('echo "${GO_SHA256}  /tmp/go.tar.gz" | sha256sum -c -')).toBeLessThan(before.indexOf('tar -C /usr/local -xzf /tmp/go.tar.gz'));
    expect(before.join('\n')).not.toMatch(/\| *tar/);
    expect(job.after_script!.join('\n')).toContain('npx ebbflow ci comment --gitlab --file out-pr/summary.md');
    expect(job.artifacts?.paths).toEqual(['out-base/', 'out-pr/', 'out/']);
  });
});

describe('init --manifests: the starter capacity from the HPA target', () => {
  it('an AverageValue of 1500 per pod gives devicesPerReplica 1500 (and a curve scaled to it)', async () => {
    const root = teamRepo('{type: AverageValue, averageValue: 1500}');
    const notes: string[] = [];
    initProject({ root, dir: 'ebbflow', manifests: 'deploy/overlays/prod', version: '1', onNote: (l) => notes.push(l) });
    const sc = await loadScenario(join(root, 'ebbflow/scenario.yaml'));
    expect(sc.devicesPerReplica).toBe(1500);
    expect(notes).toEqual([expect.stringMatching(/^devicesPerReplica 1500, from HorizontalPodAutoscaler chat, active_devices AverageValue 1500 \(.*deploy\/base\/hpa\.yaml\)$/)]);
    expect(readFileSync(join(root, 'ebbflow/scenario.yaml'), 'utf8')).toContain('    - scale: 0.012\n');
  });

  it('a quantity is read as Kubernetes reads it: 1.5k is 1500', async () => {
    const root = teamRepo('{type: AverageValue, averageValue: 1.5k}');
    initProject({ root, dir: 'ebbflow', manifests: 'deploy/overlays/prod', version: '1' });
    expect((await loadScenario(join(root, 'ebbflow/scenario.yaml'))).devicesPerReplica).toBe(1500);
  });

  it('a Value target: says it could not, why, and what to set; the scenario keeps 1000 with the same words', async () => {
    const root = teamRepo('{type: Value, value: 3k}');
    const notes: string[] = [];
    initProject({ root, dir: 'ebbflow', manifests: 'deploy/overlays/prod', version: '1', onNote: (l) => notes.push(l) });
    expect(notes).toEqual(['devicesPerReplica left at 1000: HorizontalPodAutoscaler chat targets active_devices with a Value (3k), a total rather than a per-replica capacity; set `devicesPerReplica:` in the scenario to the devices one replica of your workload serves']);
    const text = readFileSync(join(root, 'ebbflow/scenario.yaml'), 'utf8');
    expect(text).toContain('# Could not derive this from your HPA: HorizontalPodAutoscaler chat targets active_devices with a Value (3k)');
    expect((await loadScenario(join(root, 'ebbflow/scenario.yaml'))).devicesPerReplica).toBe(1000);
  });

  it('manifests without an HPA: says so', () => {
    const root = repo();
    write(root, 'k8s/deployment.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: chat}\n');
    const notes: string[] = [];
    initProject({ root, dir: 'ebbflow', manifests: 'k8s', version: '1', onNote: (l) => notes.push(l) });
    expect(notes[0]).toMatch(/^devicesPerReplica left at 1000: no HorizontalPodAutoscaler found in the manifests; set `devicesPerReplica:`/);
  });
});
