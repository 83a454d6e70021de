import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * `whatif` refuses a sweep it cannot hold before building it: three wide ranges once ran 45 s and
 * died out of memory (exit 134), because the product was built before its size was checked.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(args: string[]): Promise<{ status: number | null; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, ['bin/ebbflow.js', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=256' } });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr, ms: performance.now() - t0 });
    });
  });
}

describe('whatif --vary bounds (CLI)', () => {
  it('three wide ranges: exit 2 at once with the count, in a 256 MB heap', async () => {
    const r = await run(['whatif', 'scenarios/tiny.yaml', '--vary', 'target=1..100000', '--vary', 'sourceMax=0..2000', '--vary', 'stabilization=0..3600', '--out', 'out/whatif-bounds']);
    expect(r.stderr).toContain('error: --vary target (100,000) × sourceMax (2,001) × stabilization (3,601) make 720,560,100,000 configurations, more than the limit of 200,000');
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 70_000);

  it('a key given twice: exit 2 naming it', async () => {
    const r = await run(['whatif', 'scenarios/tiny.yaml', '--vary', 'target=800..1200:100', '--vary', 'target=900', '--out', 'out/whatif-bounds']);
    expect(r.stderr).toContain('error: --vary target is given twice');
    expect(r.status).toBe(2);
  }, 70_000);
});
