import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadScenario } from '../../scenarios/index.ts';
import { initProject } from './init.ts';

const dirs: string[] = [];
const repo = () => {
  const d = mkdtempSync(join(tmpdir(), 'ebbflow-init-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('ebbflow init', () => {
  it('writes a scenario that loads, its curve, a GitHub workflow keyed on the toolchain pins and a GitLab example', async () => {
    const root = repo();
    const files = initProject({ root, dir: 'ebbflow', version: '9.9.9' });
    expect(files).toEqual(['ebbflow/scenario.yaml', 'ebbflow/curves/weekday.csv', 'ebbflow/gitlab-ci.example.yml', '.github/workflows/ebbflow.yml']);
    const scenario = await loadScenario(join(root, 'ebbflow/scenario.yaml'));
    expect(scenario.name).toBe('starter');
    const wf = parse(readFileSync(join(root, '.github/workflows/ebbflow.yml'), 'utf8')) as { jobs: { autoscaling: { steps: { id?: string; run?: string; uses?: string; with?: Record<string, string> }[] } } };
    const steps = wf.jobs.autoscaling.steps;
    const keyStep = steps.find((s) => s.id === 'toolchain')!;
    expect(keyStep.run).toContain('npx ebbflow toolchain key');
    const cache = steps.find((s) => s.uses?.startsWith('actions/cache'))!;
    expect(cache.with).toEqual({ path: '~/.cache/ebbflow', key: '${{ steps.toolchain.outputs.key }}' });
    expect(steps.map((s) => s.run ?? '')).toContain('npx ebbflow replay ebbflow/scenario.yaml --out out');
    const gl = parse(readFileSync(join(root, 'ebbflow/gitlab-ci.example.yml'), 'utf8')) as { ebbflow: { script: string[]; artifacts: { reports: { junit: string } } } };
    expect(gl.ebbflow.script).toContain('npx ebbflow simulate ebbflow/scenario.yaml --out out-sim');
    expect(gl.ebbflow.artifacts.reports.junit).toBe('out/junit.xml');
  });

  it('refuses to overwrite anything without --force, and writes nothing then', () => {
    const root = repo();
    mkdirSync(join(root, '.github/workflows'), { recursive: true });
    writeFileSync(join(root, '.github/workflows/ebbflow.yml'), 'mine');
    expect(() => initProject({ root, dir: 'ebbflow', version: '1' })).toThrow(/would overwrite \.github\/workflows\/ebbflow\.yml/);
    expect(() => readFileSync(join(root, 'ebbflow/scenario.yaml'))).toThrow();
    initProject({ root, dir: 'ebbflow', version: '1', force: true });
    expect(readFileSync(join(root, '.github/workflows/ebbflow.yml'), 'utf8')).toContain('name: ebbflow');
  });

  it("points the scenario's manifests at the team's, relative to the scenario, and filters CI on them", () => {
    const root = repo();
    mkdirSync(join(root, 'deploy/overlays/prod'), { recursive: true });
    initProject({ root, dir: 'ci/ebbflow', manifests: 'deploy/overlays/prod', version: '1' });
    const sc = parse(readFileSync(join(root, 'ci/ebbflow/scenario.yaml'), 'utf8')) as Record<string, unknown>;
    expect(sc.manifests).toBe('../../deploy/overlays/prod');
    expect(sc.hpa).toBeUndefined();
    expect((sc.expectations as { type: string }[]).map((e) => e.type)).toEqual(['reactionTime', 'maxDirectionChangesPerHour', 'sloCoverage']);
    expect((sc.curve as { file: string }).file).toBe('curves/weekday.csv');
    expect(readFileSync(join(root, '.github/workflows/ebbflow.yml'), 'utf8')).toContain("paths: ['ci/ebbflow/**', 'deploy/overlays/prod/**', 'package-lock.json']");
    expect(() => initProject({ root, dir: 'x', manifests: 'nope', version: '1' })).toThrow(/--manifests nope: no such file/);
    expect(() => initProject({ root, dir: '../elsewhere', version: '1' })).toThrow(/outside the current directory/);
  });
});
