import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { toolchainDir } from '../../cluster/toolchain/index.ts';

/**
 * The package as a team gets it: `npm pack`, installed from the tarball into a fresh project outside
 * this checkout, every command run there through `npx ebbflow`. Dependencies come from the npm
 * registry (or npm's cache: --prefer-offline).
 */

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };

describe('the packed tool installed into another repository', () => {
  let tmp: string;
  let project: string;
  // --no: never fetch a package named ebbflow from the registry if the local one were missing; --: the
  // rest is ebbflow's (npx would take --version as its own).
  const ebbflow = (args: string[]) => execa('npx', ['--no', '--', 'ebbflow', ...args], { cwd: project, reject: false, all: true, timeout: 120_000, env: { NO_COLOR: '1' } });

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'ebbflow-install-'));
    project = join(tmp, 'team-repo');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'team-repo', version: '1.0.0', private: true }));
    const packed = await execa('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: REPO });
    const filename = (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename;
    await execa('npm', ['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund', join(tmp, filename)], { cwd: project, timeout: 400_000 });
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const installedDir = () => realpathSync(join(project, 'node_modules', pkg.name));

  it('is installed as a copy outside this checkout, without tests or benches', () => {
    const installed = installedDir();
    expect(relative(REPO, installed).startsWith('..')).toBe(true);
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    const files = walk(installed).map((f) => relative(installed, f));
    expect(files).toContain('bin/ebbflow.js');
    expect(files).toContain('manifests/base/kustomization.yaml');
    expect(files).toContain('scenarios/curves/weekday.csv');
    expect(files.filter((f) => /\.test\.ts$|^bench\//.test(f))).toEqual([]);
  });

  it('npx ebbflow --version prints the version of the package', async () => {
    const r = await ebbflow(['--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('init writes the starter files, and simulate passes on the starter scenario', async () => {
    const init = await ebbflow(['init']);
    expect(init.exitCode, init.all).toBe(0);
    for (const f of ['ebbflow/scenario.yaml', 'ebbflow/curves/weekday.csv', '.github/workflows/ebbflow.yml', 'ebbflow/gitlab-ci.example.yml']) expect(existsSync(join(project, f)), f).toBe(true);
    const again = await ebbflow(['init']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('would overwrite');
    const sim = await ebbflow(['simulate', 'ebbflow/scenario.yaml', '--out', 'out-sim']);
    expect(sim.exitCode, sim.all).toBe(0);
    expect(sim.stdout).not.toContain('FAIL');
    for (const f of ['report.html', 'summary.md', 'junit.xml', 'timeline.jsonl']) expect(existsSync(join(project, 'out-sim', f)), f).toBe(true);
  });

  it('replay runs a scenario from the project on a local control plane started by the installed package', { timeout: 300_000 }, async () => {
    // tiny.yaml is self-contained (a steps curve): 20 virtual minutes at 60×, about a minute in all.
    copyFileSync(join(installedDir(), 'scenarios', 'tiny.yaml'), join(project, 'ebbflow', 'tiny.yaml'));
    const r = await execa('npx', ['--no', '--', 'ebbflow', 'replay', 'ebbflow/tiny.yaml', '--out', 'out'], { cwd: project, reject: false, all: true, timeout: 280_000, env: { NO_COLOR: '1' } });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toContain('PASSED');
    expect(readFileSync(join(project, 'out', 'timeline.jsonl'), 'utf8').length).toBeGreaterThan(0);
  });

  it("a team's own manifests (kustomize overlay, no ElasticWorkload): init, simulate, replay and a baseline diff from the installed package", { timeout: 400_000 }, async () => {
    // The fixture repository's overlay lives in the team's tree, not in the package.
    cpSync(join(REPO, 'manifests/testdata/team'), join(project, 'deploy'), { recursive: true });
    // --force: the starter test above already wrote the CI workflow this would write again.
    const init = await ebbflow(['init', '--dir', 'ebbflow-team', '--manifests', 'deploy/overlays/ci', '--force']);
    expect(init.exitCode, init.all).toBe(0);
    expect(readFileSync(join(project, 'ebbflow-team/scenario.yaml'), 'utf8')).toMatch(/^manifests: \.\.\/deploy\/overlays\/ci$/m);
    const starter = await ebbflow(['simulate', 'ebbflow-team/scenario.yaml', '--out', 'out-team-starter']);
    expect(starter.exitCode, starter.all).toBe(0);
    writeFileSync(
      join(project, 'ebbflow-team/step.yaml'),
      ['name: team-step', 'curve:', '  steps: [["07:00", 1500], ["07:03", 5800], ["07:11", 1500]]', 'windows:', '  - {start: "07:00", end: "07:20"}', 'compression: 60', 'devicesPerReplica: 800', 'manifests: ../deploy/overlays/ci', 'expectations:', '  - {type: replicaBounds, of: ew.replicas, min: 2, max: 10}', ''].join('\n'),
    );
    const sim = await ebbflow(['simulate', 'ebbflow-team/step.yaml', '--out', 'out-team-sim']);
    expect(sim.exitCode, sim.all).toBe(0);
    const replay = await execa('npx', ['--no', '--', 'ebbflow', 'replay', 'ebbflow-team/step.yaml', '--out', 'out-team', '--cluster-name', 'e2e-install-team'], { cwd: project, reject: false, all: true, timeout: 280_000, env: { NO_COLOR: '1' } });
    expect(replay.exitCode, replay.all).toBe(0);
    expect(replay.stdout).toContain('PASSED');
    // A pull request doubling the per-replica target: the before/after table shows fewer replicas.
    const hpa = join(project, 'deploy/base/hpa.yaml');
    writeFileSync(hpa, readFileSync(hpa, 'utf8').replace('averageValue: "800"', 'averageValue: "1600"'));
    const pr = await ebbflow(['simulate', 'ebbflow-team/step.yaml', '--out', 'out-team-pr', '--baseline', 'out-team-sim/timeline.jsonl']);
    expect(pr.exitCode, pr.all).toBe(0);
    const md = readFileSync(join(project, 'out-team-pr/summary.md'), 'utf8');
    const peak = /^\| peak replicas \| (\d+) \| (\d+) \| (\S+) \|$/m.exec(md);
    expect(peak, md).not.toBeNull();
    expect(Number(peak![2])).toBeLessThan(Number(peak![1]));
  });

  it('toolchain status and key find the shared cache', async () => {
    const r = await ebbflow(['toolchain', 'status', '-o', 'json', '--no-probe']);
    const st = JSON.parse(r.stdout) as { cache: string; binaries: { binary: string; state: string }[] };
    expect(st.cache).toBe(toolchainDir());
    expect(st.binaries.find((b) => b.binary === 'kube-apiserver')?.state).toBe('installed');
    const key = await ebbflow(['toolchain', 'key']);
    const here = await execa('node', [join(REPO, 'bin', 'ebbflow.js'), 'toolchain', 'key']);
    expect(key.stdout.trim()).toBe(here.stdout.trim());
  });
});
