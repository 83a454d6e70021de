import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from './main.ts';

/**
 * Every CLI entry, given bad input as a careless or hostile user would: each must exit 2 with a
 * message naming what is wrong and no stack trace, and none may start a cluster or build the
 * toolchain on the way (the state and cache directories stay empty).
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'ebbflow-cli-'));
const env = { ...process.env, EBBFLOW_STATE_DIR: join(tmp, 'state'), EBBFLOW_CACHE_DIR: join(tmp, 'cache'), KUBECONFIG: join(tmp, 'no-kubeconfig') };
const f = (name: string) => join(tmp, name);
const SECRET = 'root:S3cr3tHash:19000:0:99999:7:::';
const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...['b', 'c', 'd', 'e', 'f', 'g'].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdef'[i]}`).join(', ')}]`)].join('\n');
let busy: Server;
let busyPort = 0;

beforeAll(async () => {
  mkdirSync(env.EBBFLOW_STATE_DIR);
  mkdirSync(env.EBBFLOW_CACHE_DIR);
  mkdirSync(f('scn'));
  writeFileSync(f('bad.yaml'), 'a: [\n');
  writeFileSync(f('bomb.yaml'), `${bomb}\n`);
  writeFileSync(f('afile'), 'not a directory\n');
  writeFileSync(f('secret.txt'), `${SECRET}\n`);
  // Two days of curve pull output covering tiny.yaml's window; a third row broken.
  const pulled = ['2026-01-05', '2026-01-06'].flatMap((d) => Array.from({ length: 30 }, (_, m) => `${d}T07:${String(m).padStart(2, '0')}:00Z,1500`));
  writeFileSync(f('history.csv'), `time,devices\n${pulled.join('\n')}\n`);
  writeFileSync(f('history-bad.csv'), `time,devices\n${pulled.slice(0, 2).join('\n')}\n2026-01-05T07:02:00Z,-4\n`);
  writeFileSync(f('history-night.csv'), `time,devices\n2026-01-05T01:00:00Z,1\n2026-01-05T02:00:00Z,1\n`);
  writeFileSync(f('scn/minmax.yaml'), 'name: t\ncurve: {const: 5}\nwindows: [{start: "07:00", end: "08:00"}]\nhpa: {minReplicas: 5, maxReplicas: 3}\n');
  writeFileSync(f('grouped.yaml'), 'sls: {endpoint: "localhost:1", credentials: {accessKeyId: a, accessKeySecret: b}}\nmetrics:\n  - {name: m, project: chat-prod, logstore: device-heartbeat, query: "* | select region, count(*) as n group by region", valueColumn: n}\n');
  writeFileSync(f('scn/outside.yaml'), 'name: t\ncurve: {file: ../secret.txt}\nwindows: [{start: "07:00", end: "08:00"}]\n');
  // A team's manifests (issue 21): each scenario names them on line 4.
  const withManifests = (name: string, m: string) => writeFileSync(f(`scn/${name}.yaml`), `name: t\ncurve: {const: 5}\nwindows: [{start: "07:00", end: "08:00"}]\nmanifests: ${m}\n`);
  const guide = readFileSync(join(ROOT, 'manifests/testdata/guide-v2beta1.yaml'), 'utf8');
  mkdirSync(f('outside-m'));
  writeFileSync(f('outside-m/guide.yaml'), guide);
  withManifests('m-outside', '../outside-m');
  withManifests('m-etc', '/etc');
  withManifests('m-environ', '/proc/self/environ');
  withManifests('m-zero', '/dev/zero');
  execFileSync('mkfifo', [f('scn/fifo.yaml')]);
  withManifests('m-fifo', 'fifo.yaml');
  mkdirSync(f('scn/remote'));
  writeFileSync(f('scn/remote/kustomization.yaml'), 'resources: ["https://127.0.0.1:9/x.yaml"]\n');
  withManifests('m-remote', 'remote');
  mkdirSync(f('outside-base'));
  writeFileSync(f('outside-base/kustomization.yaml'), 'resources: [guide.yaml]\n');
  writeFileSync(f('outside-base/guide.yaml'), guide);
  mkdirSync(f('scn/linked'));
  writeFileSync(f('scn/linked/kustomization.yaml'), 'resources: [base]\n');
  symlinkSync(f('outside-base'), f('scn/linked/base'));
  withManifests('m-symlink', 'linked');
  writeFileSync(f('scn/huge.yaml'), guide.replace('maxReplicas: 10', 'maxReplicas: 2000000000').replace('averageValue: "500"', 'averageValue: "1m"'));
  withManifests('m-huge', 'huge.yaml');
  // An elastic unit with a floor, which no successor can hold.
  writeFileSync(f('scn/unit-min.yaml'), guide.replace('    - name: spot\n', '    - name: spot\n      min: 1\n'));
  withManifests('m-unit-min', 'unit-min.yaml');
  busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  busyPort = (busy.address() as { port: number }).port;
});

afterAll(() => {
  busy.close();
  rmSync(tmp, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('node', ['bin/ebbflow.js', ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A command that does not stop on bad input is a failure of this test, not a hang of the suite.
    const timer = setTimeout(() => p.kill('SIGKILL'), 45_000);
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

const tiny = join(ROOT, 'scenarios/tiny.yaml');
const example = join(ROOT, 'exporter/config.example.yaml');
const cases: [string, string[], RegExp][] = [
  ['cluster up', ['cluster', 'up', '--config', f('missing.yaml')], /cannot read configuration file .*missing\.yaml: no such file/],
  ['cluster up', ['cluster', 'up', '--config', f('bad.yaml')], /bad\.yaml:2:1:/],
  ['cluster up', ['cluster', 'up', '--config', f('bomb.yaml')], /bomb\.yaml: too many YAML aliases/],
  ['cluster up', ['cluster', 'up', '--compression', 'abc'], /--compression must be a number/],
  ['cluster up', ['cluster', 'up', '--name', '../x'], /--name.*DNS label/],
  ['cluster down', ['cluster', 'down', '--name', '../..'], /--name.*DNS label/],
  ['cluster status', ['cluster', 'status', '--name', 'A B'], /--name.*DNS label/],
  ['cluster agent', ['cluster', 'agent', '--name', '../x'], /--name.*DNS label/],
  ['ew-controller', ['ew-controller', '--kubeconfig', f('missing')], /kubeconfig .*missing does not exist/],
  ['ew-controller', ['ew-controller', '--kubeconfig', f('bad.yaml')], /invalid YAML/],
  ['ew-controller', ['ew-controller', '--workers', 'abc'], /--workers.*expected an integer/],
  ['cronhpa-controller', ['cronhpa-controller', '--kubeconfig', f('missing')], /kubeconfig .*missing does not exist/],
  ['cronhpa-controller', ['cronhpa-controller', '--time-zone', 'Mars/Olympus'], /--time-zone: unknown time zone "Mars\/Olympus"/],
  ['exporter', ['exporter', '--config', f('missing.yaml')], /cannot read exporter config .*missing\.yaml/],
  ['exporter', ['exporter', '--config', f('bad.yaml')], /bad\.yaml:2:1:/],
  ['exporter', ['exporter', '--config', example, '--port', 'abc'], /--port.*expected an integer/],
  ['keda-scaler', ['keda-scaler', '--config', f('missing.yaml')], /cannot read keda-scaler config .*missing\.yaml/],
  ['keda-scaler', ['keda-scaler', '--config', f('bad.yaml')], /bad\.yaml:2:1:/],
  ['exporter', ['exporter', '--config', example, '--host', '127.0.0.1', '--port', '$BUSY'], /EADDRINUSE/],
  ['fake-sls', ['fake-sls', '--port', '70000'], /--port.*expected an integer from 0 to 65535/],
  ['fake-sls', ['fake-sls', '--curve', f('missing.csv')], /cannot read curve .*missing\.csv: no such file/],
  ['fake-sls', ['fake-sls', '--curve', f('secret.txt')], /secret\.txt:1: the header must name/],
  ['fake-sls', ['fake-sls', '--curve', f('secret.txt'), '--day', '2026-02-30'], /--day.*real date/],
  ['fake-sls', ['fake-sls', '--port', '$BUSY'], /cannot listen on .*EADDRINUSE/],
  ['manifests check', ['manifests', 'check', '--overlay', 'nope'], /no overlay "nope"/],
  ['manifests check', ['manifests', 'check', '--dir', f('scn')], /has no overlays\/ directory/],
  ['manifests check', ['manifests', 'check', '--kubeconfig', f('missing')], /kubeconfig .*missing does not exist/],
  ['replay', ['replay', f('missing.yaml')], /cannot read scenario .*missing\.yaml: no such file/],
  ['replay', ['replay', f('bad.yaml')], /bad\.yaml:2:1:/],
  ['replay', ['replay', f('scn/minmax.yaml')], /minmax\.yaml:4:\d+: hpa\.minReplicas: 5 is above hpa\.maxReplicas 3/],
  ['replay', ['replay', f('scn/outside.yaml')], /outside\.yaml:2:\d+: curve\.file: \.\.\/secret\.txt is outside the scenario's directory/],
  ['replay', ['replay', tiny, '--compression', 'abc'], /--compression.*expected a number/],
  ['replay', ['replay', tiny, '--cluster-name', '../x'], /--cluster-name.*DNS label/],
  ['replay', ['replay', tiny, '--baseline', f('missing.jsonl')], /cannot read baseline timeline .*missing\.jsonl/],
  ['advise', ['advise', f('missing.yaml')], /cannot read scenario/],
  ['advise', ['advise', tiny, '--grid', 'huge'], /--grid.*expected full or small/],
  ['advise', ['advise', tiny, '--history', f('missing.csv')], /cannot read history .*missing\.csv: no such file/],
  ['advise', ['advise', tiny, '--history', f('secret.txt')], /secret\.txt:1: the header must name a time column/],
  ['advise', ['advise', tiny, '--history', f('history-bad.csv')], /history-bad\.csv:4: devices: is negative/],
  ['advise', ['advise', tiny, '--history', f('history-night.csv')], /history-night\.csv: no day covers the scenario's windows \(2026-01-05: its rows cover 01:00–03:00, not the window 07:00–07:20\)/],
  ['advise', ['advise', tiny, '--history', f('history.csv'), '--holdout', '2'], /--holdout 2: .*history\.csv has 2 usable day\(s\), and at least one must be left to search on/],
  ['advise', ['advise', tiny, '--holdout', '1'], /--holdout 1: only with --history/],
  ['advise', ['advise', tiny, '--shards', '3'], /--shards: only with --on-cluster/],
  ['advise', ['advise', tiny, '--on-cluster', '--kubeconfig', f('missing')], /--kubeconfig .*missing/],
  ['advise', ['advise', tiny, '--history', f('history.csv'), '--holdout', '-1'], /--holdout.*expected an integer/],
  ['migrate', ['migrate', tiny, '--to', 'cloneset'], /--to <kind>.*argument 'cloneset' is invalid\. expected one of uniteddeployment, resourcepolicy, workloadspread/],
  ['migrate', ['migrate', f('missing.yaml'), '--to', 'uniteddeployment'], /cannot read scenario .*missing\.yaml/],
  ['migrate', ['migrate', f('scn/m-unit-min.yaml'), '--to', 'uniteddeployment', '--no-replay', '--out', f('migrated')], /unit-min\.yaml: ElasticWorkload default\/web-ew: spec\.elasticUnit\[1\]\.min: 1: a floor on an overflow tier has no equivalent in a UnitedDeployment/],
  ['pipelines', ['pipelines', tiny, '--backend', 'kind'], /--backend.*argument 'kind' is invalid\. expected local \(KEDA runs beside the local cluster only\)/],
  ['pipelines', ['pipelines', f('missing.yaml'), '--no-replay'], /cannot read scenario .*missing\.yaml/],
  ['pipelines', ['pipelines', f('scn/minmax.yaml'), '--out', f('pipelines-out')], /minmax\.yaml:4:\d+: hpa\.minReplicas: 5 is above hpa\.maxReplicas 3/],
  ['lint', ['lint', '--scenario', f('missing.yaml')], /cannot read scenario/],
  ['lint', ['lint', '--format', 'xml'], /argument 'xml' is invalid/],
  ['simulate', ['simulate', f('missing.yaml')], /cannot read scenario/],
  ['simulate', ['simulate', f('scn/minmax.yaml')], /hpa\.minReplicas: 5 is above/],
  ['simulate', ['simulate', tiny, '--days', 'abc'], /--days.*expected an integer/],
  ['simulate', ['simulate', tiny, '--out', f('afile/out')], /ENOTDIR/],
  ['toolchain install', ['toolchain', 'install', 'nosuch'], /unknown toolchain component "nosuch"/],
  ['toolchain status', ['toolchain', 'status', '--bogus'], /unknown option '--bogus'/],
  ['whatif', ['whatif', tiny, '--vary', 'bad'], /--vary bad/],
  ['whatif-shard', ['whatif-shard', '--input', f('missing.json'), '--shard', '0/1'], /missing\.json/],
  ['whatif-shard', ['whatif-shard', '--input', tiny, '--shard', '3/3'], /--shard 3\/3: expected i\/n/],
  ['whatif-shard', ['whatif-shard', '--input', tiny, '--shard', '0/1'], /tiny\.yaml: not JSON/],
  ['whatif', ['whatif', tiny, '--vary', 'sourceMax=0..1', '--on-cluster'], /--on-cluster needs --kubeconfig/],
  ['whatif', ['whatif', tiny, '--vary', 'sourceMax=0..1', '--shards', '3'], /--shards: only with --on-cluster/],
  ['whatif', ['whatif', tiny, '--vary', 'sourceMax=0..1', '--on-cluster', '--kubeconfig', f('missing')], /--kubeconfig .*missing: cannot read it/],
  ['whatif', ['whatif', tiny, '--vary', 'sourceMax=0..1', '--workers', 'abc'], /--workers.*expected an integer/],
  ['whatif', ['whatif', f('scn/minmax.yaml'), '--vary', 'sourceMax=0..1'], /hpa\.minReplicas: 5 is above/],
  ['whatif', ['whatif', tiny, '--vary', 'maxReplicas=1000000'], /--vary maxReplicas: values must be between 0 and 2000 replicas/],
  ['ci comment', ['ci', 'comment', '--file', f('summary.md')], /ci comment needs exactly one of --github and --gitlab/],
  ['ci comment', ['ci', 'comment', '--github', '--file', f('missing.md')], /--file .*missing\.md: cannot be read/],
  ['curve pull', ['curve', 'pull', '--config', example, '--metric', 'active_devices', '--from', '2026-11-21', '--to', '2026-11-20', '--out', f('c.csv')], /--from 2026-11-21T00:00:00Z is not before --to 2026-11-20T00:00:00Z/],
  ['curve pull', ['curve', 'pull', '--config', example, '--metric', 'active_devices', '--from', 'now-1d', '--to', '2999-01-01', '--out', f('c.csv')], /--to 2999-01-01T00:00:00Z is in the future/],
  ['curve pull', ['curve', 'pull', '--config', example, '--metric', 'active_devices', '--from', '2026-11-20', '--to', '2026-11-21', '--step', '7m', '--out', f('c.csv')], /--step 7m: must be whole seconds that divide a day/],
  ['curve pull', ['curve', 'pull', '--config', f('grouped.yaml'), '--metric', 'm', '--from', '2026-11-20', '--to', '2026-11-21', '--out', f('c.csv')], /metric m: the query cannot be pulled as a curve: it already groups by something else/],
  ['init', ['init', '--manifests', f('missing-manifests')], /--manifests .*missing-manifests: no such file or directory/],
  ['toolchain key', ['toolchain', 'key', '--bogus'], /unknown option '--bogus'/],
  ['simulate', ['simulate', tiny, '--days', '3650'], /--days 3650 at one sample every 15 s is more than 1000000 samples/],
  ['replay', ['replay', f('scn/m-outside.yaml')], /m-outside\.yaml:4:1: manifests \.\.\/outside-m: outside the scenario's directory \(.*\) and the current directory/],
  ['replay', ['replay', f('scn/m-etc.yaml')], /m-etc\.yaml:4:1: manifests \/etc: outside the scenario's directory/],
  ['simulate', ['simulate', f('scn/m-environ.yaml')], /m-environ\.yaml:4:1: manifests \/proc\/self\/environ: outside the scenario's directory/],
  ['simulate', ['simulate', f('scn/m-zero.yaml')], /m-zero\.yaml:4:1: manifests \/dev\/zero: outside/],
  ['simulate', ['simulate', f('scn/m-zero.yaml'), '--allow-outside-manifests'], /manifests \/dev\/zero: cannot read manifest file \/dev\/zero: not a regular file/],
  ['replay', ['replay', f('scn/m-fifo.yaml')], /m-fifo\.yaml:4:1: manifests fifo\.yaml: cannot read manifest file .*fifo\.yaml: not a regular file/],
  ['replay', ['replay', f('scn/m-remote.yaml')], /m-remote\.yaml:4:1: manifests remote: .*remote\/kustomization\.yaml: resources\[0\] https:\/\/127\.0\.0\.1:9\/x\.yaml: a remote resource/],
  ['whatif', ['whatif', f('scn/m-symlink.yaml'), '--vary', 'sourceMax=0..1'], /m-symlink\.yaml:4:1: manifests linked: .*linked\/kustomization\.yaml: resources\[0\] base: a symlink to .*outside-base, outside/],
  ['simulate', ['simulate', tiny, '--manifests', '/etc'], /--manifests \/etc: outside the current directory/],
  ['simulate', ['simulate', f('scn/m-huge.yaml')], /huge\.yaml:\d+:\d+: HorizontalPodAutoscaler default\/web: spec\.maxReplicas: must be an integer between 1 and 2000 replicas, got 2000000000/],
  ['replay', ['replay', f('scn/m-huge.yaml')], /huge\.yaml:\d+:\d+: HorizontalPodAutoscaler default\/web: spec\.maxReplicas: must be an integer between 1 and 2000 replicas/],
  ['whatif', ['whatif', f('scn/m-huge.yaml'), '--vary', 'sourceMax=0..1'], /huge\.yaml:\d+:\d+: HorizontalPodAutoscaler default\/web: spec\.maxReplicas: must be an integer between 1 and 2000 replicas/],
];

describe('every CLI entry refuses bad input with exit 2, a message and no stack trace', () => {
  it('covers every command of harness/cli/commands', async () => {
    const program = await buildProgram();
    const names = program.commands.flatMap((c) => (c.commands.length ? c.commands.map((s) => `${c.name()} ${s.name()}`) : [c.name()]));
    expect(names.length).toBeGreaterThan(8);
    for (const n of names) expect(cases.some(([c]) => c === n), `a bad-input case for "${n}"`).toBe(true);
  });

  describe.concurrent('cases', () => {
    const rows = cases.map(([cmd, argv, re]) => ({ title: `${cmd}: ${argv.slice(cmd.split(' ').length).join(' ').replaceAll(tmp, '$TMP').replaceAll(ROOT, '')}`, argv, re }));
    it.each(rows)('$title', { timeout: 60_000 }, async ({ argv, re }) => {
      const r = await run(argv.map((a) => (a === '$BUSY' ? String(busyPort) : a)));
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stderr).not.toContain('S3cr3tHash');
      expect(r.status, r.stderr).toBe(2);
    });
  });

  it('started no cluster and built nothing on the way', () => {
    expect(readdirSync(env.EBBFLOW_STATE_DIR)).toEqual([]);
    expect(readdirSync(env.EBBFLOW_CACHE_DIR)).toEqual([]);
  });
});
