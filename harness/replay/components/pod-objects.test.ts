import { describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { parseExporterConfig } from '../../../exporter/index.ts';
import type { KubeObject } from '../../../manifests/index.ts';
import { loadScenario } from '../../../scenarios/index.ts';
import { planReplay } from '../plan.ts';
import { exporterPodProxyPath, exporterPods, exporterProxyPath, SLS_HOST, workloadPods, type PodTarget } from './pod-objects.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const target: PodTarget = { kubeconfig: '/k', kubeConfig: new KubeConfig(), namespace: 'team-a', hostAddress: '172.18.0.1' };
const images = { exporter: 'ebbflow/sls-exporter:abc', workload: 'ebbflow/http-standin:def' };

type Pod = { spec: { template: { spec: { hostAliases?: { ip: string; hostnames: string[] }[]; containers: { image: string; imagePullPolicy: string; env?: { name: string; value?: string; valueFrom?: unknown }[]; command?: string[]; readinessProbe?: { periodSeconds?: number }; livenessProbe?: { periodSeconds?: number }; securityContext?: { readOnlyRootFilesystem?: boolean } }[] } } } };

describe('the pod pipeline objects (kind now, existing next)', async () => {
  const plan = await planReplay({ scenario: await loadScenario(join(ROOT, 'scenarios/tiny.yaml')) });
  const pods = exporterPods(plan, { target, images, sls: { port: 40123, accessKeyId: 'ak', accessKeySecret: 'sk' } });
  const byKind = (k: string) => pods.objects.find((o) => o.kind === k)!;

  it('takes the manifests exporter Deployment, its ConfigMap, ServiceAccount and Service, all in the target namespace', () => {
    // kustomize suffixes the ConfigMap's name with a content hash.
    expect(pods.objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([expect.stringMatching(/^ConfigMap\/sls-exporter-config/), 'Deployment/sls-exporter', 'Service/sls-exporter', 'ServiceAccount/sls-exporter']);
    expect(pods.objects.every((o) => o.metadata.namespace === 'team-a')).toBe(true);
    expect(pods.service).toEqual({ namespace: 'team-a', name: 'sls-exporter', port: 'metrics' });
    expect(exporterProxyPath(pods.service)).toBe('/api/v1/namespaces/team-a/services/sls-exporter:metrics/proxy');
    // Each pod is scraped on the container port the Service's named targetPort resolves to.
    expect(pods.podLabels).toEqual({ 'app.kubernetes.io/name': 'sls-exporter', 'app.kubernetes.io/part-of': 'ebbflow' });
    expect(pods.podPort).toBe(9464);
    expect(exporterPodProxyPath('team-a', 'sls-exporter-abc', 9464)).toBe('/api/v1/namespaces/team-a/pods/sls-exporter-abc:9464/proxy');
  });

  it('points the exporter at the fake SLS by name, resolved by hostAliases (no cluster DNS), with the intervals divided by k', () => {
    const cm = byKind('ConfigMap') as KubeObject & { data: Record<string, string> };
    const cfg = parseExporterConfig(cm.data['config.yaml']!, 'pod config', { ALIBABA_CLOUD_ACCESS_KEY_ID: 'ak', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'sk' });
    expect(cfg.sls.endpoint).toBe(`${SLS_HOST}:40123`);
    expect(cfg.metrics[0]!.interval).toBeCloseTo(15 / 60);
    const spec = (byKind('Deployment') as unknown as Pod).spec.template.spec;
    expect(spec.hostAliases).toEqual([{ ip: '172.18.0.1', hostnames: [SLS_HOST, `chat-prod.${SLS_HOST}`] }]);
    const c = spec.containers[0]!;
    expect(c.image).toBe(images.exporter);
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.env?.filter((e) => e.name.startsWith('ALIBABA_CLOUD_'))).toEqual([{ name: 'ALIBABA_CLOUD_ACCESS_KEY_ID', value: 'ak' }, { name: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', value: 'sk' }]);
    // The production hardening stays as the manifests say.
    expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(YAML.parse(cm.data['config.yaml']!)).not.toHaveProperty('sls.credentials.accessKeyId');
  });

  it('runs the workload on the stand-in image, serving on the container port, without changing the input', () => {
    const before = JSON.stringify(plan.manifests.businessDeployment);
    const w = workloadPods(plan.manifests.businessDeployment, images, 60) as unknown as Pod;
    const c = w.spec.template.spec.containers[0]!;
    // 5 s and 10 s of kubelet wall time would be 5 and 10 virtual minutes at k=60.
    expect(c.readinessProbe?.periodSeconds).toBe(1);
    expect(c.livenessProbe?.periodSeconds).toBe(1);
    expect(c.image).toBe(images.workload);
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.env).toContainEqual({ name: 'PORT', value: '8080' });
    expect(JSON.stringify(plan.manifests.businessDeployment)).toBe(before);
  });

  it('refuses manifests without an exporter Deployment, naming the fix', () => {
    const bare = { ...plan, manifests: { ...plan.manifests, objects: plan.manifests.objects.filter((o) => o.kind !== 'Deployment') } };
    expect(() => exporterPods(bare, { target, images, sls: { port: 1, accessKeyId: 'a', accessKeySecret: 'b' } })).toThrow(/no Deployment mounts the exporter's ConfigMap/);
  });
});
