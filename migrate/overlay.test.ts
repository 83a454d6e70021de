import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkAll } from '../core/checks/checks.ts';
import { loadManifestObjects } from '../manifests/load.ts';
import { loadHarnessManifests, MANIFESTS_DIR } from '../manifests/index.ts';
import { loadScenario } from '../scenarios/index.ts';
import { harnessSystemManifests } from '../manifests/index.ts';
import { runBasis, systemFromScenario } from '../simulator/system.ts';
import { simulate } from '../simulator/simulate.ts';
import { CONVERTERS, manifestsFile, overlayFiles, type Target } from './index.ts';
import { migrationInput } from './input.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The shipped local overlay converted, written as an overlay over it in a fresh directory. */
async function overlayOf(target: Target): Promise<string> {
  const found = await loadHarnessManifests();
  const { input } = migrationInput(found, {});
  const dir = mkdtempSync(join(tmpdir(), 'ebf-migrate-'));
  dirs.push(dir);
  const files = overlayFiles(CONVERTERS[target].convert(input), relative(dir, join(MANIFESTS_DIR, 'overlays/local')), found.hpa);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('the overlay, rendered with the project\'s kustomize renderer', () => {
  it('UnitedDeployment: the ElasticWorkload and the Deployment deleted, the HPA on the UnitedDeployment, and smoke\'s expectations pass in the simulator', async () => {
    const dir = await overlayOf('uniteddeployment');
    const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { patches: { patch: string }[] };
    expect(k.patches[0]!.patch).toMatch(/^\$patch: delete\napiVersion: autoscaling.alibabacloud.com\/v1beta1\nkind: ElasticWorkload/);
    expect(readFileSync(join(dir, 'uniteddeployment.yaml'), 'utf8')).not.toMatch(/[&*]a\d/);
    const found = await loadHarnessManifests({ path: dir });
    expect(found.objects.filter((o) => ['ElasticWorkload', 'UnitedDeployment'].includes(o.kind) || (o.kind === 'Deployment' && o.metadata.name === 'nginx')).map((o) => o.kind)).toEqual(['UnitedDeployment']);
    expect(found.placement?.kind).toBe('UnitedDeployment');
    expect((found.hpa.spec as { scaleTargetRef: unknown }).scaleTargetRef).toEqual({ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'UnitedDeployment', name: 'nginx' });
    // smoke.yaml without its elasticWorkload: override (the overlay holds its source max 2).
    const smoke = await loadScenario(join(MANIFESTS_DIR, '../scenarios/smoke.yaml'));
    delete smoke.elasticWorkload;
    const sys = systemFromScenario(smoke, harnessSystemManifests(found));
    expect(sys.placement.tiers.map((t) => [t.unit, t.max, t.node])).toEqual([['ecs', 2, 'ecs'], ['eci', undefined, 'eci']]);
    const basis = runBasis(smoke, sys);
    const results = checkAll(simulate(smoke, sys, { settings: basis.settings }).timeline!, smoke.expectations, undefined, basis.tiers, basis);
    expect(results.filter((r) => !r.passed)).toEqual([]);
  });

  it('WorkloadSpread: only the ElasticWorkload deleted, the HPA back on the Deployment, the WorkloadSpread added', async () => {
    const dir = await overlayOf('workloadspread');
    const objects = (await loadManifestObjects(dir)).map((o) => o.object);
    expect(objects.filter((o) => o.kind === 'ElasticWorkload')).toEqual([]);
    expect(objects.filter((o) => o.kind === 'Deployment' && o.metadata.name === 'nginx')).toHaveLength(1);
    expect(objects.find((o) => o.kind === 'WorkloadSpread')?.spec).toMatchObject({ targetRef: { kind: 'Deployment', name: 'nginx' } });
    expect(objects.find((o) => o.kind === 'HorizontalPodAutoscaler')?.spec).toMatchObject({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' }, maxReplicas: 10 });
  });

  it('ResourcePolicy: the shipped manifests convert and resolve through the ResourcePolicy kind, whose eci unit takes pods without the virtual node\'s toleration, and smoke\'s expectations pass', async () => {
    const dir = await overlayOf('resourcepolicy');
    const found = await loadHarnessManifests({ path: dir });
    expect(found.placement?.kind).toBe('ResourcePolicy');
    expect(found.objects.filter((o) => o.kind === 'ElasticWorkload')).toEqual([]);
    expect((found.hpa.spec as { scaleTargetRef: unknown }).scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' });
    // The Deployment is theirs, unchanged: no toleration of the virtual node (ACK's scheduler adds it for an eci unit).
    const dep = found.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'nginx')!;
    expect(JSON.stringify(dep)).not.toContain('virtual-kubelet.io/provider');
    const smoke = await loadScenario(join(MANIFESTS_DIR, '../scenarios/smoke.yaml'));
    delete smoke.elasticWorkload;
    const sys = systemFromScenario(smoke, harnessSystemManifests(found));
    expect(sys.placement.tiers.map((t) => [t.unit, t.max, t.node])).toEqual([['units[0]', 2, 'ecs'], ['units[1]', undefined, 'eci']]);
    const basis = runBasis(smoke, sys);
    const results = checkAll(simulate(smoke, sys, { settings: basis.settings }).timeline!, smoke.expectations, undefined, basis.tiers, basis);
    expect(results.filter((r) => !r.passed)).toEqual([]);
  });

  it('manifests that are no kustomize directory: one file with the same change', async () => {
    const found = await loadHarnessManifests();
    const { input } = migrationInput(found, {});
    const text = manifestsFile(found.objects, CONVERTERS.resourcepolicy.convert(input), found.hpa)['manifests.yaml']!;
    const kinds = text.split(/^---$/m).map((d) => (parse(d) as { kind: string }).kind);
    expect(kinds).not.toContain('ElasticWorkload');
    expect(kinds.filter((k) => k === 'ResourcePolicy')).toHaveLength(1);
    expect(kinds.length).toBe(found.objects.length);
  });

  it('the scenario\'s elasticWorkload: goes into the successor\'s object, and an HPA on a Deployment has nothing to migrate', async () => {
    const found = await loadHarnessManifests();
    const { input, overridden } = migrationInput(found, { file: 's.yaml', elasticWorkload: { sourceMax: 4 } });
    expect(overridden).toEqual(['elasticWorkload.sourceMax']);
    expect((CONVERTERS.uniteddeployment.convert(input).add[0]!.spec as { topology: { subsets: { maxReplicas?: number }[] } }).topology.subsets[0].maxReplicas).toBe(4);
    expect(migrationInput(found, { elasticWorkload: { sourceMax: 2 } }).overridden).toEqual([]);
    const direct = { ...found, placement: undefined };
    expect(() => migrationInput(direct, {})).toThrow(/scales Deployment default\/nginx, not an ElasticWorkload: there is nothing to migrate/);
  });
});
