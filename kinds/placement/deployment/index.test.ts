import { describe, expect, it } from 'vitest';
import { UserError } from '../../../core/errors.ts';
import type { KubeObject } from '../../model/objects.ts';
import { deployment } from './index.ts';

const web: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } };
const input = (overrides = {}) => ({ workload: web, overrides: { file: 's.yaml', ...overrides }, file: 's.yaml', source: 'deploy/', scalerMax: 6 });

describe('the Deployment kind (the HPA scales the workload itself)', () => {
  it('one tier on ECS capped at the HPA\'s max, no object, no component', () => {
    const p = deployment.resolve(input());
    expect(p).toEqual({ kind: 'Deployment', tiers: [{ deployment: 'web', min: 0, max: 6, node: 'ecs' }] });
    expect([0, 3, 6, 9].map((n) => deployment.split(p, n))).toEqual([[0], [3], [6], [6]]);
    expect(deployment.components(p, { kubeConfig: () => { throw new Error('unused'); }, namespace: 'default' })).toEqual([]);
    expect(deployment.recorderView(p).resource).toBeUndefined();
  });

  it('refuses the scenario\'s elasticWorkload overrides, naming the field and what the HPA scales', () => {
    expect(() => deployment.resolve(input({ elasticWorkload: { units: [{ name: 'x' }] } }))).toThrow(UserError);
    expect(() => deployment.resolve(input({ elasticWorkload: { sourceMax: 2 } }))).toThrow(/^s\.yaml: elasticWorkload\.sourceMax: the manifests \(deploy\/\) have no ElasticWorkload — the HPA scales Deployment web directly$/);
  });
});
