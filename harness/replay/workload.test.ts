import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../manifests/index.ts';
import { rewriteTemplate } from './workload.ts';

const image = (d: KubeObject) => {
  const out = structuredClone(d) as KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } };
  for (const c of out.spec.template.spec.containers) c.image = 'standin:1';
  return out;
};
const ud: KubeObject = {
  apiVersion: 'apps.kruise.io/v1alpha1',
  kind: 'UnitedDeployment',
  metadata: { name: 'web' },
  spec: { template: { deploymentTemplate: { metadata: { labels: { app: 'web' } }, spec: { selector: {}, template: { spec: { containers: [{ name: 'web', image: 'nginx:alpine' }] } } } } }, topology: { subsets: [] } },
};

describe('a backend\'s rewrite of the workload reaches a placement that creates it from a template', () => {
  it('a UnitedDeployment\'s template is rewritten as the Deployment would be, the rest kept, the input untouched', () => {
    const out = rewriteTemplate(ud, image) as unknown as { spec: { template: { deploymentTemplate: { metadata: unknown; spec: { template: { spec: { containers: { image: string }[] } } } } }; topology: unknown } };
    expect(out.spec.template.deploymentTemplate.spec.template.spec.containers[0]!.image).toBe('standin:1');
    expect(out.spec.template.deploymentTemplate.metadata).toEqual({ labels: { app: 'web' } });
    expect(out.spec.topology).toEqual({ subsets: [] });
    expect(JSON.stringify(ud)).toContain('nginx:alpine');
  });

  it('another placement object (an ElasticWorkload) is not touched', () => {
    const ew: KubeObject = { apiVersion: 'autoscaling.alibabacloud.com/v1beta1', kind: 'ElasticWorkload', metadata: { name: 'web' }, spec: { sourceTarget: { name: 'web' } } };
    expect(rewriteTemplate(ew, image)).toBe(ew);
  });
});
