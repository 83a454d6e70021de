import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { clusterName, kubeconfigOf, renamedOption } from './options.ts';
import { main } from './main.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the CLI in-process and returns its exit code and what it wrote to stderr. */
async function run(args: string[]): Promise<{ code: number; err: string; out: string }> {
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const code = await main(['node', 'ebbflow', ...args]);
    return { code, err: err.mock.calls.map((c) => String(c[0])).join(''), out: out.mock.calls.map((c) => String(c[0])).join('') };
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
}

describe('renamedOption', () => {
  const parse = async (argv: string[]) => {
    let seen: Record<string, unknown> = {};
    const cmd = new Command('x').exitOverride().option('--cluster-name <name>', 'name', clusterName, 'ebbflow').action((o: Record<string, unknown>) => void (seen = o));
    renamedOption(cmd, '--name <name>', '--cluster-name', clusterName);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await cmd.parseAsync(argv, { from: 'user' });
      return { seen, err: err.mock.calls.map((c) => String(c[0])).join(''), help: cmd.helpInformation() };
    } finally {
      err.mockRestore();
    }
  };

  it('hands the old spelling to the canonical option with a deprecation note, and hides it from --help', async () => {
    const r = await parse(['--name', 'dev']);
    expect(r.seen.clusterName).toBe('dev');
    expect(r.err).toBe('note: --name is deprecated and will go; use --cluster-name\n');
    expect(r.help).toContain('--cluster-name');
    expect(r.help).not.toMatch(/--name\b/);
  });

  it('says nothing for the canonical spelling or the default', async () => {
    expect(await parse(['--cluster-name', 'dev'])).toMatchObject({ seen: { clusterName: 'dev' }, err: '' });
    expect(await parse([])).toMatchObject({ seen: { clusterName: 'ebbflow' }, err: '' });
  });

  it('checks the old spelling with the same parser, and refuses both spellings at once', async () => {
    await expect(parse(['--name', '../x'])).rejects.toThrow(/DNS label/);
    await expect(parse(['--name', 'a', '--cluster-name', 'b'])).rejects.toThrow(/--name and --cluster-name are the same option/);
  });
});

describe('kubeconfigOf', () => {
  const exists = (p: string) => p.startsWith('/there/');
  it('takes the flag first, else the first existing file of $KUBECONFIG', () => {
    expect(kubeconfigOf('k.yaml', { KUBECONFIG: '/there/a' }, '--x', exists)).toBe('k.yaml');
    expect(kubeconfigOf(undefined, { KUBECONFIG: '/there/a' }, '--x', exists)).toBe('/there/a');
    expect(kubeconfigOf(undefined, { KUBECONFIG: ['/gone/a', '', '/there/b', '/there/c'].join(delimiter) }, '--x', exists)).toBe('/there/b');
  });

  it('names both the flag and the variable when neither gives a file', () => {
    expect(() => kubeconfigOf(undefined, {}, '--on-cluster', exists)).toThrow(/^--on-cluster needs --kubeconfig <file>, and \$KUBECONFIG is not set either$/);
    expect(() => kubeconfigOf(undefined, { KUBECONFIG: '/gone/a' }, '--backend existing', exists)).toThrow(/--backend existing needs --kubeconfig <file>, and \$KUBECONFIG names no file that exists \(\/gone\/a\)/);
  });
});

describe('the CLI honours $KUBECONFIG where it takes --kubeconfig', () => {
  const saved = process.env.KUBECONFIG;
  afterEach(() => {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
  });
  const notAKubeconfig = () => {
    const f = join(mkdtempSync(join(tmpdir(), 'ebf-kc-')), 'kubeconfig');
    writeFileSync(f, 'just: text\n');
    return f;
  };

  it('replay --backend existing and cluster up --backend existing read the file $KUBECONFIG names', async () => {
    const f = notAKubeconfig();
    process.env.KUBECONFIG = f;
    const replay = await run(['replay', join(ROOT, 'scenarios/tiny.yaml'), '--backend', 'existing', '--namespace', 'ebf-x', '--out', mkdtempSync(join(tmpdir(), 'ebf-kc-out-'))]);
    expect(replay.code).toBe(2);
    expect(replay.err).toContain(`kubeconfig ${f}: not a kubeconfig`);
    const up = await run(['cluster', 'up', '--backend', 'existing', '--namespace', 'ebf-x']);
    expect(up.code).toBe(2);
    expect(up.err).toContain(`kubeconfig ${f}: not a kubeconfig`);
  });

  it('whatif --on-cluster without either names both', async () => {
    delete process.env.KUBECONFIG;
    const r = await run(['whatif', join(ROOT, 'scenarios/tiny.yaml'), '--vary', 'sourceMax=0..1', '--on-cluster']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--on-cluster needs --kubeconfig <file>, and $KUBECONFIG is not set either');
  });
});

describe('old flag spellings still work', () => {
  it('cluster status --name is --cluster-name, with a note', async () => {
    const r = await run(['cluster', 'status', '--name', 'no-such-cluster-here']);
    expect(r.err).toContain('note: --name is deprecated and will go; use --cluster-name');
    expect(r.err).not.toContain('unknown option');
  });

  it('replay --with-sim is --report-fidelity, with a note', async () => {
    const r = await run(['replay', join(ROOT, 'scenarios/tiny.yaml'), '--with-sim', '--report-fidelity']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--with-sim and --report-fidelity are the same option');
  });
});

describe('-o, --output', () => {
  it('takes text or json on simulate and replay, and refuses anything else before a run starts', async () => {
    for (const cmd of ['simulate', 'replay']) {
      const r = await run([cmd, join(ROOT, 'scenarios/tiny.yaml'), '-o', 'yaml']);
      expect(r.code, cmd).toBe(2);
      expect(r.err, cmd).toContain("option '-o, --output <format>' argument 'yaml' is invalid. Allowed choices are text, json.");
    }
  });

  it('toolchain status -o json prints one JSON document; the older --json still does, with a note', async () => {
    const a = await run(['toolchain', 'status', '-o', 'json', '--no-probe']);
    const b = await run(['toolchain', 'status', '--json', '--no-probe']);
    const docA = JSON.parse(a.out) as { cache: string; binaries: unknown[] };
    expect(docA.binaries.length).toBeGreaterThan(5);
    expect(JSON.parse(b.out)).toEqual(docA);
    expect(b.err).toContain('note: --json is deprecated and will go; use -o json');
    expect(a.err).not.toContain('deprecated');
    const c = await run(['toolchain', 'status', '--json', '-o', 'text', '--no-probe']);
    expect(c.code).toBe(2);
    expect(c.err).toContain('--json and --output text contradict each other');
  });

  it('cluster status refuses -o yaml', async () => {
    const r = await run(['cluster', 'status', '-o', 'yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("argument 'yaml' is invalid");
  });
});
