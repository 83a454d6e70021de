import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { parseScenario } from '../scenarios/index.ts';
import { loadSystemManifests, systemFromScenario } from '../simulator/index.ts';
import { programSource } from './files.ts';
import { MANIFESTS_DIR } from './index.ts';

/** A team's HPA with per-direction tolerances (behavior.scaleUp/scaleDown.tolerance, quantities) reaches the model as the controller reads them. */

const tmp = mkdtempSync(join(tmpdir(), 'ebbflow-hpa-tolerance-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function overlay(name: string, behavior: unknown): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const patch = stringify([{ op: 'add', path: '/spec/behavior', value: behavior }]);
  writeFileSync(join(dir, 'kustomization.yaml'), stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [relative(dir, join(MANIFESTS_DIR, 'base'))], patches: [{ target: { kind: 'HorizontalPodAutoscaler', name: 'nginx' }, patch }] }));
  return dir;
}
const scenario = parseScenario('name: t\ncurve: {file: curves/weekday.csv, transforms: [{scale: 0.008}]}\nwindows: [{start: "06:30", end: "08:00"}]\ndevicesPerReplica: 1000\n', join(MANIFESTS_DIR, '..', 'scenarios', 't.yaml'));

describe('per-direction tolerances from the manifests', () => {
  it('accepts them as quantities and resolves each direction', async () => {
    const m = await loadSystemManifests(programSource(overlay('ok', { scaleUp: { tolerance: '50m' }, scaleDown: { tolerance: '0.2' } })));
    const sys = systemFromScenario(await scenario, m);
    expect(sys.hpa.behavior?.scaleUp?.tolerance).toBe(0.05);
    expect(sys.hpa.behavior?.scaleDown?.tolerance).toBe(0.2);
  }, 60_000);

  it('refuses one outside 0–1, naming the field', async () => {
    await expect(loadSystemManifests(programSource(overlay('big', { scaleUp: { tolerance: '2' } })))).rejects.toThrow(/scaleUp\.tolerance/);
  }, 60_000);
});
