import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'ebf-migrate-e2e-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('ebbflow migrate on a local control plane', () => {
  it('replays the shipped ElasticWorkload and its UnitedDeployment on one scenario; both pass and summary.md compares them', { timeout: 900_000 }, async () => {
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile('node', ['bin/ebbflow.js', 'migrate', 'migrate/testdata/step.yaml', '--to', 'uniteddeployment', '--out', out], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    });
    expect(r.code, r.stderr).toBe(0);
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).toMatch(/^# ebbflow migrate --to uniteddeployment: ElasticWorkload → UnitedDeployment/);
    expect(summary).toMatch(/replayed on the local control plane/);
    expect(summary).toMatch(/\| tier 0 \(ECS\): peak replicas \| 2 \(source\) \| 2 \(ECS subset\) \|/);
    expect(summary).toMatch(/\| scale-down order \(most expensive tier first\) \| kept \| kept \|/);
    // The successor's own report speaks of its subsets.
    expect(readFileSync(join(out, 'uniteddeployment', 'summary.md'), 'utf8')).toMatch(/no ECS subset pod was removed while ECI subset pods existed/);
  });
});
