import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterStatus } from '../../cluster/local/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function replay(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/ebbflow.js'), 'replay', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

type Line = { kind: string; type?: string; object?: string; notes?: string[]; metric?: number | null; hpa?: { desired: number } };

/**
 * A team's KEDA manifests given with --manifests (overlays/local-keda: a ScaledObject whose
 * `external` trigger asks the SLS scaler) are discovered and replayed through the real KEDA
 * (built on first use): the run serves the scaler, KEDA generates keda-hpa-nginx and the recorder
 * records that HPA's decisions and its External metric.
 */
describe('ebbflow replay of a ScaledObject (real KEDA beside the local cluster)', () => {
  it('discovers the ScaledObject in --manifests, replays it through the SLS scaler and records the HPA KEDA generates', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ebf-keda-replay-'));
    const r = await replay([join(ROOT, 'scenarios/tiny.yaml'), '--manifests', join(ROOT, 'manifests/overlays/local-keda'), '--out', out, '--cluster-name', 'e2e-keda-replay']);
    expect(r.code, r.stderr.slice(-4000) + r.stdout).toBe(0);
    expect(r.stderr).toMatch(/setup: .*keda-scaler .*keda \d/);
    const lines = readFileSync(join(out, 'timeline.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
    expect(lines[0]!.notes?.join('\n')).toMatch(/ScaledObject nginx → HPA keda-hpa-nginx/);
    const rescales = lines.filter((l) => l.type === 'hpa.rescale');
    expect(rescales.length).toBeGreaterThan(0);
    expect(rescales.every((l) => l.object === 'keda-hpa-nginx')).toBe(true);
    // The External metric's value as the HPA saw it: the step up's 5,800 devices reached it.
    const metrics = lines.filter((l) => l.kind === 'sample' && typeof l.metric === 'number').map((l) => l.metric!);
    expect(Math.max(...metrics)).toBeGreaterThanOrEqual(5000);
    expect(Math.max(...lines.filter((l) => l.kind === 'sample').map((l) => l.hpa!.desired))).toBeGreaterThanOrEqual(5);
    expect((await clusterStatus('e2e-keda-replay')).exists).toBe(false);
  }, 600_000);
});
