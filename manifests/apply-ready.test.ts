import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { namespacesToPrepare } from './check.ts';
import { MANIFESTS_DIR, renderOverlay, type KubeObject } from './index.ts';

// Apply-ready as shipped: what `kubectl apply -k` / `delete -k` of an overlay touches, the names
// other tools reference, and the labels every object carries (manifests/README.md, "Apply-ready").
const OVERLAYS = ['local', 'aliyun', 'aliyun-cluster-wide', 'original-2020'] as const;
const LABELS = ['name', 'instance', 'version', 'component', 'part-of', 'managed-by'].map((k) => `app.kubernetes.io/${k}`);
const rendered: Record<string, KubeObject[]> = {};
const id = (o: KubeObject) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
type Selectable = { spec?: { selector?: { matchLabels?: Record<string, string> } | Record<string, string>; podSelector?: { matchLabels?: Record<string, string> }; template?: { metadata?: { labels?: Record<string, string> } } } };

describe('apply-ready manifests', () => {
  beforeAll(async () => {
    for (const o of OVERLAYS) rendered[o] = await renderOverlay(o);
  }, 60_000);

  it('the base declares no Namespace; no overlay declares monitoring, and default only to label it for the cluster-wide controller', () => {
    const base = YAML.parse(readFileSync(join(MANIFESTS_DIR, 'base/kustomization.yaml'), 'utf8')) as { resources: string[] };
    for (const r of base.resources) {
      const kinds = YAML.parseAllDocuments(readFileSync(join(MANIFESTS_DIR, 'base', r), 'utf8')).map((d) => (d.toJS() as KubeObject | null)?.kind);
      expect(kinds, r).not.toContain('Namespace');
    }
    const declared = (o: string) => rendered[o]!.filter((x) => x.kind === 'Namespace').map((x) => x.metadata.name).sort();
    expect(declared('local')).toEqual(['ebbflow-system', 'sls-exporter']);
    expect(declared('aliyun')).toEqual(['ebbflow-system', 'sls-exporter']);
    expect(declared('aliyun-cluster-wide')).toEqual(['default', 'ebbflow-system', 'sls-exporter']);
    expect(declared('original-2020')).toEqual([]);
  });

  it('config names are stable: the adapter rules and the exporter config carry no content hash', () => {
    for (const o of OVERLAYS) {
      const cms = rendered[o]!.filter((x) => x.kind === 'ConfigMap').map(id).sort();
      expect(cms, o).toEqual(expect.arrayContaining(['ConfigMap monitoring/prometheus-adapter-rules', 'ConfigMap sls-exporter/sls-exporter-config']));
      const dep = rendered[o]!.find((x) => x.kind === 'Deployment' && x.metadata.name === 'sls-exporter') as KubeObject & { spec: { template: { spec: { volumes: { configMap?: { name: string } }[] } } } };
      expect(dep.spec.template.spec.volumes.map((v) => v.configMap?.name)).toContain('sls-exporter-config');
    }
  });

  it('every object carries the full app.kubernetes.io label set', () => {
    for (const o of OVERLAYS) {
      for (const x of rendered[o]!) {
        const labels = x.metadata.labels ?? {};
        expect(LABELS.filter((k) => !labels[k]), `${o}: ${id(x)}`).toEqual([]);
        expect(labels['app.kubernetes.io/part-of']).toBe('ebbflow');
      }
    }
  });

  it('selectors and pod labels are the ones the harness and running clusters already use', () => {
    const sel = (x: KubeObject) => {
      const s = (x as Selectable).spec ?? {};
      const selector = (s.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? s.selector ?? s.podSelector?.matchLabels;
      return { selector, pods: s.template?.metadata?.labels };
    };
    const local = rendered.local!;
    const get = (kind: string, name: string) => sel(local.find((x) => x.kind === kind && x.metadata.name === name)!);
    expect(get('Deployment', 'nginx')).toEqual({ selector: { app: 'nginx' }, pods: { app: 'nginx' } });
    expect(get('Service', 'nginx').selector).toEqual({ app: 'nginx' });
    expect(get('Deployment', 'sls-exporter')).toEqual({ selector: { 'app.kubernetes.io/name': 'sls-exporter' }, pods: { 'app.kubernetes.io/name': 'sls-exporter', 'app.kubernetes.io/part-of': 'ebbflow' } });
    expect(get('Deployment', 'elasticworkload-controller').selector).toEqual({ 'app.kubernetes.io/name': 'elasticworkload-controller' });
    expect(get('NetworkPolicy', 'nginx').selector).toEqual({ app: 'nginx' });
  });

  it('manifests check prepares the namespaces an overlay uses but does not declare, at Pod Security restricted', () => {
    const ns = namespacesToPrepare(rendered.local!);
    expect(ns.map((n) => n.metadata.name)).toEqual(['ebbflow-system', 'sls-exporter', 'default', 'monitoring']);
    for (const n of ns) for (const mode of ['enforce', 'audit', 'warn']) expect(n.metadata.labels?.[`pod-security.kubernetes.io/${mode}`], n.metadata.name).toBe('restricted');
  });
});
