import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
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

  it('toolchain status and key find the shared cache', async () => {
    const r = await ebbflow(['toolchain', 'status', '--json', '--no-probe']);
    const st = JSON.parse(r.stdout) as { cache: string; binaries: { binary: string; state: string }[] };
    expect(st.cache).toBe(toolchainDir());
    expect(st.binaries.find((b) => b.binary === 'kube-apiserver')?.state).toBe('installed');
    const key = await ebbflow(['toolchain', 'key']);
    const here = await execa('node', [join(REPO, 'bin', 'ebbflow.js'), 'toolchain', 'key']);
    expect(key.stdout.trim()).toBe(here.stdout.trim());
  });
});
