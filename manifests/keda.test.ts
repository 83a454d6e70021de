import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.ts';
import { parseKedaScalerConfig, parseExporterConfig } from '../exporter/index.ts';
import { loadScenario } from '../scenarios/index.ts';
import { simulate, systemFromScenario } from '../simulator/index.ts';
import { loadSystemManifests } from '../simulator/system.ts';
import { loadHarnessManifests, renderOverlay, type KubeObject } from './index.ts';
import { egressAllows, podSpecs, restrictedViolations } from './policy.ts';
import { unpinnedImages } from './pins.ts';

/**
 * components/keda and its overlays: what discovery, the bounds, the simulator and the threat
 * model's rules make of them. Server-side validation needs KEDA's CRDs, which the e2e tests' clusters
 * do not have: these overlays stay out of OVERLAYS.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'ebf-keda-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const named = (objs: KubeObject[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);

describe('overlays local-keda and aliyun-keda', () => {
  it('replace the HPA by the ScaledObject, keep the exporter, and discovery finds the ScaledObject and its ElasticWorkload', async () => {
    const m = await loadHarnessManifests({ path: join(ROOT, 'manifests/overlays/local-keda') });
    expect(m.hpa.kind).toBe('ScaledObject');
    expect(m.placement?.kind).toBe('ElasticWorkload');
    // The exporter's config, not the scaler's (which has grpc:): one candidate, no ambiguity.
    expect(m.exporterConfigYaml).not.toMatch(/grpc:/);
    expect(m.objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
  });

  it('ship a scaler config the scaler reads, pointed at the fake SLS locally', async () => {
    for (const overlay of ['local-keda', 'aliyun-keda']) {
      const objs = await renderOverlay(overlay);
      const text = (named(objs, 'ConfigMap', 'keda-sls-scaler-config') as unknown as { data: Record<string, string> }).data['config.yaml']!;
      const c = parseKedaScalerConfig(text, overlay, { ALIBABA_CLOUD_ACCESS_KEY_ID: 'x', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'y' });
      expect(c.grpc.port).toBe(9090);
      expect(c.metrics.map((x) => x.name)).toEqual(['active_devices']);
      // The exporter's schema refuses grpc: the two configs cannot be confused.
      expect(() => parseExporterConfig(text, overlay, { ALIBABA_CLOUD_ACCESS_KEY_ID: 'x', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'y' })).toThrow(/grpc/);
      const env = (named(objs, 'Deployment', 'keda-sls-scaler')!.spec as { template: { spec: { containers: { env?: { name: string }[] }[] } } }).template.spec.containers[0]!.env ?? [];
      expect(env.some((e) => e.name === 'SLS_ENDPOINT'), overlay).toBe(overlay === 'local-keda');
    }
  });

  it('hold the threat model\'s rules: restricted pods, egress 443 but not the metadata service, gRPC only from KEDA, pinned images in production', async () => {
    const objs = await renderOverlay('aliyun-keda');
    for (const { owner, spec } of podSpecs(objs)) expect(restrictedViolations(spec), owner).toEqual([]);
    const np = named(objs, 'NetworkPolicy', 'keda-sls-scaler')!;
    expect(egressAllows(np, '47.96.0.1', 443)).toBe(true);
    expect(egressAllows(np, '100.100.100.200', 443)).toBe(false);
    expect(egressAllows(np, '47.96.0.1', 80)).toBe(false);
    const ingress = (np.spec as { ingress: { from: { namespaceSelector: { matchLabels: Record<string, string> } }[]; ports: { port: string }[] }[] }).ingress;
    const grpc = ingress.filter((r) => r.ports.some((p) => p.port === 'grpc'));
    expect(grpc.map((r) => r.from[0]!.namespaceSelector.matchLabels['kubernetes.io/metadata.name'])).toEqual(['keda']);
    expect(unpinnedImages(objs, 'aliyun-keda')).toEqual([]);
    const sa = named(objs, 'ServiceAccount', 'keda-sls-scaler')!;
    expect(sa.metadata.namespace).toBe('sls-exporter');
    expect(sa.metadata.annotations?.['pod-identity.alibabacloud.com/role-name']).toBeDefined();
  });

  it('scenarios/smoke-keda.yaml simulates through the ScaledObject', async () => {
    const s = await loadScenario(join(ROOT, 'scenarios/smoke-keda.yaml'));
    const sys = systemFromScenario(s, await loadSystemManifests(join(ROOT, 'manifests/overlays/local-keda')));
    expect(sys.scaler).toBe('ScaledObject');
    // KEDA reads the scaler live on each HPA sync: no Prometheus scrape between (the HPA overlay keeps its ServiceMonitor's).
    expect(sys.pipeline.scrapeIntervalSeconds).toBe(1);
    expect(systemFromScenario(s, await loadSystemManifests(join(ROOT, 'manifests/overlays/local'))).pipeline.scrapeIntervalSeconds).not.toBe(1);
    const { summary } = simulate(s, sys);
    // The ScaledObject's 1k devices per replica on the smoke day: the scenario's own expectations hold.
    expect(summary.sloCoveragePercent).toBeGreaterThanOrEqual(80);
    expect(summary.peakReplicas).toBeGreaterThan(1);
    expect(summary.peakReplicas).toBeLessThanOrEqual(12);
  });
});

describe('a ScaledObject\'s values are held to bounds, with file, line and field', () => {
  const GUIDE = readFileSync(join(TESTDATA, 'guide-v2beta1.yaml'), 'utf8');
  const SO = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: web, namespace: default}
spec:
  scaleTargetRef: {apiVersion: autoscaling.alibabacloud.com/v1beta1, kind: ElasticWorkload, name: web-ew}
  minReplicaCount: 1
  maxReplicaCount: 10
  pollingInterval: 15
  fallback: {failureThreshold: 3, replicas: 4}
  triggers:
    - type: external
      metadata: {scalerAddress: "s:9090", metric: active_devices, targetValue: "500"}
`;
  const withSo = GUIDE.replace(/apiVersion: autoscaling\/v2beta1[\s\S]*?averageValue: "500"\n/, SO);
  let n = 0;
  const write = (text: string) => {
    const f = join(tmp, `so${n++}.yaml`);
    writeFileSync(f, text);
    return f;
  };
  it('the guide with a ScaledObject in place of its HPA is inside every bound', async () => {
    expect(withSo).toContain('kind: ScaledObject');
    expect((await loadHarnessManifests({ path: write(withSo) })).hpa.kind).toBe('ScaledObject');
  });
  const cases: [string, string, RegExp][] = [
    ['maxReplicaCount: 10', 'maxReplicaCount: 2000000000', /ScaledObject default\/web: spec\.maxReplicaCount: must be an integer between 1 and 2000 replicas/],
    ['minReplicaCount: 1', 'minReplicaCount: 11', /spec\.minReplicaCount: 11 is above maxReplicaCount 10/],
    ['pollingInterval: 15', 'pollingInterval: 0', /spec\.pollingInterval: must be an integer between 1 and 3600 s, got 0/],
    ['pollingInterval: 15', 'idleReplicaCount: 2', /spec\.idleReplicaCount: must be 0/],
    ['replicas: 4}', 'replicas: 0}', /spec\.fallback\.replicas: must be an integer between 1 and 2000/],
    ['targetValue: "500"', 'targetValue: "0"', /spec\.triggers\[0\]\.metadata\.targetValue: must be above 0/],
  ];
  for (const [from, to, msg] of cases) {
    it(`refuses ${to} at its line`, async () => {
      const text = withSo.replace(from, to);
      const e = await loadHarnessManifests({ path: write(text) }).then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(UserError);
      expect((e as Error).message).toMatch(msg);
      const line = text.split('\n').findIndex((l) => l.includes(to)) + 1;
      expect((e as Error).message).toMatch(new RegExp(`:${line}:\\d+: `));
    });
  }
});
