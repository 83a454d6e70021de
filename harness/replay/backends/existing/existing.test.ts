import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../../../scenarios/index.ts';
import { UserError } from '../../../../core/errors.ts';
import { planReplay, timelineMeta } from '../../plan.ts';
import { checkBackend } from '../index.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const kubeconfig = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'ebf-existing-plan-'));
  const p = join(dir, 'kubeconfig');
  writeFileSync(p, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://10.0.0.1:6443"}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {token: t}}]\n');
  return p;
})();

const plan = async (compression: number) => planReplay({ scenario: await loadScenario(join(ROOT, 'scenarios/tiny.yaml'), { compression }) });

describe('checkBackend for existing', () => {
  it('moves every object of the run into the owned namespace', async () => {
    const p = await plan(1);
    await checkBackend('existing', p, { kubeconfig, namespace: 'ebf-a' });
    expect(p.namespace).toBe('ebf-a');
    for (const o of [p.hpa, p.ew, p.manifests.businessDeployment, p.manifests.businessService]) expect(o?.metadata.namespace).toBe('ebf-a');
    expect(p.manifests.scrape.namespace).toBe('ebf-a');
    expect(p.warnings.filter((w) => w.startsWith('existing cluster'))).toEqual([]);
  });

  it('carries the k>1 consequence into the plan\'s warnings (summary and report)', async () => {
    const p = await plan(60);
    await checkBackend('existing', p, { kubeconfig, namespace: 'ebf-a' });
    expect(p.warnings.find((w) => w.startsWith('existing cluster at k=60'))).toContain('reactions appear 60× slower');
  });

  it('refuses bad flags before anything starts, and the flags on other backends', async () => {
    const p = await plan(1);
    await expect(checkBackend('existing', p, { kubeconfig, namespace: 'Bad_NS' })).rejects.toThrow(UserError);
    await expect(checkBackend('existing', p, { namespace: 'ebf-a' })).rejects.toThrow(/needs --kubeconfig/);
    await expect(checkBackend('kind', p, { namespace: 'ebf-a' })).rejects.toThrow(/applies to --backend existing only, not --backend kind/);
    await expect(checkBackend('local', p, { hostAddress: '10.0.0.2' })).rejects.toThrow(/--host-address applies to --backend existing only/);
  });

  it('plans a CronHPA from the manifests (notes name its jobs) and refuses it, since its controller runs on local and kind only', async () => {
    const p = await planReplay({ scenario: await loadScenario(join(ROOT, 'simulator/testdata/cronhpa/scenario.yaml')) });
    expect(p.system.schedule?.object.metadata.name).toBe('nginx-cron');
    expect(timelineMeta(p).notes).toContain('CronHPA nginx-cron on the HPA: morning "0 5 7 * * *" → 8, evening "30 14 7 * * *" → 1 (UTC)');
    await expect(checkBackend('existing', p, { kubeconfig, namespace: 'ebf-a' })).rejects.toThrow(/CronHorizontalPodAutoscaler nginx-cron replays on the local and kind backends only/);
  });
});
