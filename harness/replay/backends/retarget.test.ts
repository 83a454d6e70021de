import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serviceMonitorToScrapeTarget } from '../../../manifests/index.ts';
import { loadScenario } from '../../../scenarios/index.ts';
import { planReplay } from '../plan.ts';
import { checkBackend } from './index.ts';

/**
 * The shipped exporter lives in its own namespace and its ServiceMonitor pins the series to the
 * HPA's (`namespace: default`); on an existing cluster the HPA moves into the run's namespace, and
 * the series must follow it there.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ebf-retarget-'));
const kubeconfig = join(dir, 'kubeconfig');
writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://10.0.0.1:6443"}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {token: t}}]\n');

describe('existing backend: the series follow the HPA into the run namespace', () => {
  it('locally the series land in default (the HPA’s namespace), on an existing cluster in the owned one', async () => {
    const p = await planReplay({ scenario: await loadScenario(join(ROOT, 'scenarios/tiny.yaml'), { compression: 1 }) });
    const labelsOf = (t: ReturnType<typeof serviceMonitorToScrapeTarget>) => (t.relabelings as { target_label?: string; replacement?: string }[]).filter((r) => r.target_label === 'namespace' && r.replacement !== undefined).map((r) => r.replacement);
    expect(labelsOf(serviceMonitorToScrapeTarget(p.manifests.scrape, '127.0.0.1:1'))).toEqual(['default']);
    await checkBackend('existing', p, { kubeconfig, namespace: 'ebf-a' });
    expect(labelsOf(serviceMonitorToScrapeTarget(p.manifests.scrape, '127.0.0.1:1'))).toEqual(['ebf-a']);
    const sm = p.manifests.objects.find((o) => o.kind === 'ServiceMonitor' && o.metadata.name === 'sls-exporter') as { spec: { endpoints: { relabelings: { targetLabel: string; replacement: string }[] }[] } } | undefined;
    expect(sm!.spec.endpoints[0]!.relabelings.find((r) => r.targetLabel === 'namespace')?.replacement).toBe('ebf-a');
  });
});
