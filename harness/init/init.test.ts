import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
    expect(gl.ebbflow.script).toContain('npx ebbflow simulate ebbflow/scenario.yaml --out out-pr ${BASELINE:+--baseline "$BASELINE"}');
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

describe('ebbflow init: paths are data', () => {
  const sh = (run: string) => execFileSync('sh', ['-c', run.replace(/^npx ebbflow /, "printf '%s\\n' ")], { encoding: 'utf8' }).trimEnd().split('\n');

  it('refuses a --dir that is, or runs through, a symlink out of the repository, and writes nothing there', () => {
    const root = repo();
    const elsewhere = repo();
    symlinkSync(elsewhere, join(root, 'link'));
    expect(() => initProject({ root, dir: 'link', version: '1' })).toThrow(/--dir link: link resolves to .*outside the repository/);
    expect(() => initProject({ root, dir: 'link/sub', version: '1' })).toThrow(/--dir link\/sub: link resolves to .*outside the repository/);
    symlinkSync(join(elsewhere, 'gone'), join(root, 'dangling'));
    expect(() => initProject({ root, dir: 'dangling', version: '1' })).toThrow(/dangling is a symlink that leads nowhere/);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(existsSync(join(root, '.github'))).toBe(false);
  });

  it('refuses a .github that leads out of the repository, and --manifests through a symlink out of it', () => {
    const root = repo();
    const elsewhere = repo();
    symlinkSync(elsewhere, join(root, '.github'));
    expect(() => initProject({ root, dir: 'ebbflow', version: '1' })).toThrow(/\.github\/workflows\/ebbflow\.yml: \.github resolves to .*outside/);
    expect(readdirSync(elsewhere)).toEqual([]);
    const root2 = repo();
    mkdirSync(join(elsewhere, 'deploy'));
    symlinkSync(join(elsewhere, 'deploy'), join(root2, 'deploy'));
    expect(() => initProject({ root: root2, dir: 'ebbflow', manifests: 'deploy', version: '1' })).toThrow(/--manifests deploy: deploy resolves to .*outside/);
  });

  it('a symlink inside the repository is followed', () => {
    const root = repo();
    mkdirSync(join(root, 'real'));
    symlinkSync(join(root, 'real'), join(root, 'alias'));
    initProject({ root, dir: 'alias', version: '1' });
    expect(existsSync(join(root, 'real/scenario.yaml'))).toBe(true);
  });

  it("writes a directory named like a command substitution as one shell word in every run: line, and as a literal path filter", async () => {
    const root = repo();
    const dir = "sc n$(id)'*";
    initProject({ root, dir, version: '1' });
    const wf = parse(readFileSync(join(root, '.github/workflows/ebbflow.yml'), 'utf8')) as { on: { pull_request: { paths: string[] } }; jobs: { autoscaling: { steps: { run?: string }[] } } };
    const runs = wf.jobs.autoscaling.steps.map((s) => s.run ?? '').filter((r) => r.startsWith('npx ebbflow simulate') || r.startsWith('npx ebbflow replay'));
    expect(runs.map(sh)).toEqual([
      ['simulate', `${dir}/scenario.yaml`, '--out', 'out-pr'],
      ['replay', `${dir}/scenario.yaml`, '--out', 'out'],
    ]);
    expect(wf.on.pull_request.paths[0]).toBe("sc n$(id)'\\*/**");
    const gl = parse(readFileSync(join(root, dir, 'gitlab-ci.example.yml'), 'utf8')) as { ebbflow: { script: string[] } };
    expect(gl.ebbflow.script.filter((r) => r.startsWith('npx ebbflow')).map(sh)).toEqual([
      ['simulate', `${dir}/scenario.yaml`, '--out', 'out-pr'],
      ['replay', `${dir}/scenario.yaml`, '--out', 'out'],
    ]);
    expect((await loadScenario(join(root, dir, 'scenario.yaml'))).name).toBe('starter');
  });

  it("writes --manifests 'm #x' so that the scenario reads back m #x", () => {
    const root = repo();
    mkdirSync(join(root, 'm #x'));
    initProject({ root, dir: 'ebbflow', manifests: 'm #x', version: '1' });
    const sc = parse(readFileSync(join(root, 'ebbflow/scenario.yaml'), 'utf8')) as { manifests: string };
    expect(sc.manifests).toBe('../m #x');
    const wf = parse(readFileSync(join(root, '.github/workflows/ebbflow.yml'), 'utf8')) as { on: { pull_request: { paths: string[] } } };
    expect(wf.on.pull_request.paths).toEqual(['ebbflow/**', 'm #x/**', 'package-lock.json']);
  });

  it('refuses paths no quoting makes safe: a newline, a GitHub expression', () => {
    const root = repo();
    expect(() => initProject({ root, dir: 'a\nb', version: '1' })).toThrow(/--dir "a\\nb" holds a control character/);
    expect(() => initProject({ root, dir: '${{ secrets.TOKEN }}', version: '1' })).toThrow(/GitHub Actions would evaluate/);
    expect(readdirSync(root)).toEqual([]);
  });
});
