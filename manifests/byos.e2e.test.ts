import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Bring your own system: a team's repository outside this checkout (its own kustomize overlay, an
 * HPA with other names in namespace `shop` on the Deployment directly, no ElasticWorkload; and the
 * guide's v2beta1 HPA in one file), driven by this checkout's CLI from inside that repository.
 */

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'bin/ebbflow.js');
const repo = mkdtempSync(join(tmpdir(), 'ebf-team-repo-'));
afterAll(() => rmSync(repo, { recursive: true, force: true }));

cpSync(join(ROOT, 'manifests/testdata/team'), join(repo, 'deploy'), { recursive: true });
cpSync(join(ROOT, 'manifests/testdata/guide-v2beta1.yaml'), join(repo, 'guide.yaml'));
// The same overlay with the HPA as the guide wrote it (autoscaling/v2beta1).
cpSync(join(ROOT, 'manifests/testdata/team'), join(repo, 'deploy-guide'), { recursive: true });
writeFileSync(
  join(repo, 'deploy-guide/base/hpa.yaml'),
  `apiVersion: autoscaling/v2beta1
kind: HorizontalPodAutoscaler
metadata:
  name: chat-api-hpa
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: chat-api}
  minReplicas: 2
  maxReplicas: 12
  metrics:
    - type: Object
      object:
        target: {kind: Service, name: chat-api}
        metricName: online_devices
        targetValue: "100k"
        averageValue: "800"
`,
);
// 20 virtual minutes: a step up past two replicas and back down. At 300× (4 s of wall time a
// replay, not 20 s at 60×): what these tests check is which objects the team's manifests give and
// that the HPA scaled past two replicas in an 8-minute step, not reaction times (the HPA's decisions
// lag 30–75 virtual s at k = 300, `bench/README.md`).
writeFileSync(
  join(repo, 'scaling.yaml'),
  `name: team-step
curve:
  steps: [["07:00", 1500], ["07:03", 5800], ["07:11", 1500]]
windows:
  - {start: "07:00", end: "07:20"}
compression: 300
devicesPerReplica: 800
manifests: deploy/overlays/ci
hpa:
  downscaleStabilizationSeconds: 120
expectations:
  - {type: replicaBounds, of: ew.replicas, min: 2, max: 10}
`,
);

const ebbflow = (...args: string[]) => execa(process.execPath, [CLI, ...args], { cwd: repo, reject: false, timeout: 280_000 });

interface Line { kind: string; type?: string; ew?: { replicas: number; units: Record<string, number> }; pods?: { ecs: { ready: number }; eci: { ready: number } } }
const timeline = (dir: string) => readFileSync(join(repo, dir, 'timeline.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);

describe('a team repository outside the project', () => {
  it('simulate reads its overlay (scenario manifests:) and the guide file (--manifests, v2beta1 converted with a warning)', async () => {
    const team = await ebbflow('simulate', 'scaling.yaml', '--out', 'out-sim');
    expect(team.exitCode, team.stderr + team.stdout).toBe(0);
    const samples = timeline('out-sim').filter((l) => l.kind === 'sample');
    expect(Math.max(...samples.map((s) => s.ew!.replicas))).toBeGreaterThan(2);
    expect(samples.every((s) => s.pods!.eci.ready === 0)).toBe(true);

    const guide = await ebbflow('simulate', 'scaling.yaml', '--manifests', 'guide.yaml', '--out', 'out-guide');
    expect(guide.exitCode, guide.stderr).toBe(0);
    expect(guide.stderr).toMatch(/guide\.yaml: HorizontalPodAutoscaler default\/web is autoscaling\/v2beta1, which Kubernetes removed in 1\.26/);
    expect(guide.stderr).toContain('apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler');
  }, 120_000);

  it('bad manifests are one clear error and exit 2', async () => {
    writeFileSync(join(repo, 'two-hpas.yaml'), readFileSync(join(repo, 'guide.yaml'), 'utf8') + '\n---\n' + readFileSync(join(repo, 'deploy/base/hpa.yaml'), 'utf8'));
    const r = await ebbflow('simulate', 'scaling.yaml', '--manifests', 'two-hpas.yaml', '--out', 'out-bad');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/two-hpas\.yaml: 2 HorizontalPodAutoscalers found/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('replay runs the HPA against the Deployment in namespace shop on a real control plane', async () => {
    const r = await ebbflow('replay', 'scaling.yaml', '--out', 'out-main', '--cluster-name', 'e2e-byos');
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    const lines = timeline('out-main');
    const samples = lines.filter((l) => l.kind === 'sample');
    // The real HPA scaled chat-api itself: no units, every ready pod on ECS, ew.replicas = the Deployment's.
    expect(Math.max(...samples.map((s) => s.ew!.replicas))).toBeGreaterThan(2);
    expect(samples.every((s) => Object.keys(s.ew!.units).length === 0 && s.pods!.eci.ready === 0)).toBe(true);
    expect(Math.max(...samples.map((s) => s.pods!.ecs.ready))).toBeGreaterThan(2);
    expect(lines.some((l) => l.type === 'hpa.rescale')).toBe(true);
  }, 300_000);

  it('replay runs the guide\'s v2beta1 HPA converted to v2, saying so', async () => {
    const r = await ebbflow('replay', 'scaling.yaml', '--manifests', 'deploy-guide/overlays/ci', '--out', 'out-guide-replay', '--cluster-name', 'e2e-byos-guide');
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toMatch(/deploy-guide\/base\/hpa\.yaml: HorizontalPodAutoscaler shop\/chat-api-hpa is autoscaling\/v2beta1/);
    expect(r.stderr).toMatch(/apiVersion: autoscaling\/v2\n[\s\S]*type: AverageValue\n\s+averageValue: "800"/);
    const samples = timeline('out-guide-replay').filter((l) => l.kind === 'sample');
    expect(Math.max(...samples.map((s) => s.ew!.replicas))).toBeGreaterThan(2);
  }, 300_000);

  it('a baseline diff between two HPA settings shows the change in summary.md', async () => {
    const hpa = join(repo, 'deploy/base/hpa.yaml');
    writeFileSync(hpa, readFileSync(hpa, 'utf8').replace('averageValue: "800"', 'averageValue: "1600"'));
    const r = await ebbflow('simulate', 'scaling.yaml', '--out', 'out-pr', '--baseline', 'out-sim/timeline.jsonl');
    expect(r.exitCode, r.stderr).toBe(0);
    const md = readFileSync(join(repo, 'out-pr/summary.md'), 'utf8');
    expect(md).toContain('**Before / after**');
    const peak = /^\| peak replicas \| (\d+) \| (\d+) \| (\S+) \|$/m.exec(md);
    expect(peak, md).not.toBeNull();
    expect(Number(peak![2])).toBeLessThan(Number(peak![1]));
    expect(md).toMatch(/^\| SLO coverage \| [\d.]+% \| [\d.]+% \| −[\d.]+% 🔴 \|$/m);
    expect(readFileSync(join(repo, 'out-pr/report.html'), 'utf8')).toContain('baseline desired');
  }, 60_000);
});
