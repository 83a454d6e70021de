import { describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../main.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function run(args: string[]): Promise<{ code: number | undefined; err: string }> {
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const code = await main(['node', 'ebbflow', ...args]);
    return { code, err: err.mock.calls.map((c) => String(c[0])).join('') };
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
}

describe('replay --backend', () => {
  it('refuses an unknown backend, and existing without its flags, with exit 2 before anything starts', async () => {
    expect((await run(['replay', join(ROOT, 'scenarios/tiny.yaml'), '--backend', 'docker'])).code).toBe(2);
    const r = await run(['replay', join(ROOT, 'scenarios/tiny.yaml'), '--backend', 'existing', '--out', mkdtempSync(join(tmpdir(), 'ebf-rb-'))]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--backend existing needs --kubeconfig');
    // tiny.yaml is at k=60: the consequence on a cluster whose kcm flags cannot change is told first.
    expect(r.err).toContain('fidelity warning: existing cluster at k=60');
  });

  it("takes the scenario's backend: and checks it strictly, naming the file and field", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ebf-rb-scn-'));
    const tiny = readFileSync(join(ROOT, 'scenarios/tiny.yaml'), 'utf8');
    writeFileSync(join(dir, 'bad.yaml'), `${tiny}\nbackend: docker\n`);
    const bad = await run(['replay', join(dir, 'bad.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/bad\.yaml:\d+:\d+: backend/);
    writeFileSync(join(dir, 'existing.yaml'), `${tiny}\nbackend: existing\n`);
    const existing = await run(['replay', join(dir, 'existing.yaml'), '--out', join(dir, 'out')]);
    expect(existing.code).toBe(2);
    expect(existing.err).toContain('--backend existing needs --kubeconfig');
  });
});
