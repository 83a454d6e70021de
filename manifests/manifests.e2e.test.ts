import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedCluster, type SharedCluster } from '../cluster/local/testing.ts';
import { checkOverlays } from './check.ts';
import { copyManifests } from './index.ts';

// The e2e project's shared cluster. What the check creates for real — the CRDs and the namespaces
// the manifests use (labelled restricted) — is the same for every file that checks them; all else
// is a server-side dry-run.
let c: SharedCluster;

describe('manifests check (server-side dry-run on the real API server, kube-score)', () => {
  beforeAll(async () => {
    c = await sharedCluster();
  });

  it('every object of every overlay passes server-side dry-run and the lint is clean', async () => {
    const r = await checkOverlays({ overlays: ['local', 'aliyun', 'aliyun-cluster-wide'], kubeconfig: c.kubeconfig, kubeConfig: c.kubeConfig });
    expect(r.objects.filter((o) => !o.ok)).toEqual([]);
    expect(r.objects.length).toBeGreaterThan(30);
    expect(r.objects.some((o) => o.object === 'ElasticWorkload default/nginx')).toBe(true);
    expect(r.objects.some((o) => o.object === 'ServiceMonitor default/sls-exporter')).toBe(true);
    expect(r.objects.filter((o) => o.object === 'Deployment ebbflow-system/elasticworkload-controller').map((o) => o.overlay)).toEqual(['local', 'aliyun', 'aliyun-cluster-wide']);
    expect(r.lint.map((l) => [l.overlay, l.ok, l.findings])).toEqual([['local', true, []], ['aliyun', true, []], ['aliyun-cluster-wide', true, []]]);
  }, 120_000);

  it('overlays/original-2020 (the original Value target, kept to reproduce it) is valid too; aliyun\'s monitoring objects were applied', async () => {
    const r = await checkOverlays({ overlays: ['original-2020'], kubeconfig: c.kubeconfig, kubeConfig: c.kubeConfig });
    expect(r.objects.filter((o) => !o.ok)).toEqual([]);
    expect(r.objects.some((o) => o.object === 'HorizontalPodAutoscaler default/nginx')).toBe(true);
    expect(r.lint.map((l) => [l.overlay, l.ok, l.findings])).toEqual([['original-2020', true, []]]);
    const aliyun = await checkOverlays({ overlays: ['aliyun'], kubeconfig: c.kubeconfig, kubeConfig: c.kubeConfig });
    expect(aliyun.objects.filter((o) => /^(PrometheusRule|ConfigMap) monitoring\/ebbflow-autoscaling/.test(o.object)).map((o) => `${o.object} ${o.ok}`).sort()).toEqual([
      'ConfigMap monitoring/ebbflow-autoscaling-dashboard true',
      'PrometheusRule monitoring/ebbflow-autoscaling true',
    ]);
  }, 180_000);

  it('a wrong apiVersion (the guide’s autoscaling/v2beta1) fails naming the object and apiVersion', async () => {
    const m = copyManifests();
    try {
      const f = join(m.dir, 'base/autoscaling/hpa.yaml');
      writeFileSync(f, readFileSync(f, 'utf8').replace('apiVersion: autoscaling/v2', 'apiVersion: autoscaling/v2beta1'));
      const r = await checkOverlays({ overlays: ['local'], kubeconfig: c.kubeconfig, kubeConfig: c.kubeConfig, dir: m.dir });
      const bad = r.objects.filter((o) => !o.ok);
      expect(bad).toHaveLength(1);
      expect(bad[0]!.message).toMatch(/^HorizontalPodAutoscaler default\/nginx: apiVersion autoscaling\/v2beta1/);
    } finally {
      m.remove();
    }
  }, 120_000);

  it('a wrong field fails naming the object and the field', async () => {
    const m = copyManifests();
    try {
      const f = join(m.dir, 'base/autoscaling/elasticworkload.yaml');
      writeFileSync(f, readFileSync(f, 'utf8').replace('  replicas: 1\n', '  replica: 1\n'));
      const h = join(m.dir, 'base/autoscaling/hpa.yaml');
      writeFileSync(h, readFileSync(h, 'utf8').replace('maxReplicas: 10', 'maxReplicas: "ten"'));
      const r = await checkOverlays({ overlays: ['local'], kubeconfig: c.kubeconfig, kubeConfig: c.kubeConfig, dir: m.dir });
      const bad = Object.fromEntries(r.objects.filter((o) => !o.ok).map((o) => [o.object, o.message]));
      expect(Object.keys(bad).sort()).toEqual(['ElasticWorkload default/nginx', 'HorizontalPodAutoscaler default/nginx']);
      expect(bad['ElasticWorkload default/nginx']).toMatch(/spec\.replica\b/);
      expect(bad['HorizontalPodAutoscaler default/nginx']).toMatch(/maxReplicas/);
    } finally {
      m.remove();
    }
  }, 120_000);

  it('a pod template that breaks Pod Security restricted fails naming the object and the rule', async () => {
    const m = copyManifests();
    try {
      const f = join(m.dir, 'base/workload/deployment.yaml');
      const before = readFileSync(f, 'utf8');
      const after = before.replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true');
      expect(after).not.toBe(before);
      writeFileSync(f, after);
      const r = await checkOverlays({ overlays: ['local'], kubeconfig: c.kubeconfig, kubeConfig: c.kubeConfig, dir: m.dir });
      const bad = r.objects.filter((o) => !o.ok);
      expect(bad.map((o) => o.object)).toEqual(['Deployment default/nginx']);
      expect(bad[0]!.message).toMatch(/PodSecurity "restricted[^"]*".*allowPrivilegeEscalation/);
    } finally {
      m.remove();
    }
  }, 120_000);
});
