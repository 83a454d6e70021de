import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseTimeline } from '../../../core/timeline/io.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCENARIO = fileURLToPath(new URL('./testdata/ack/scenario.yaml', import.meta.url));

function replay(out: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/ebbflow.js'), 'replay', SCENARIO, '--out', out, '--cluster-name', 'e2e-rp-replay'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('ebbflow replay of a Deployment under a ResourcePolicy (local backend, our scheduler)', () => {
  it('the testdata scenario passes: ECS fills to the unit\'s max before any ECI pod, ECI drains before ECS', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ebf-rp-replay-'));
    const r = await replay(out);
    expect(r.code, r.output).toBe(0);
    const tl = parseTimeline(readFileSync(join(out, 'timeline.jsonl'), 'utf8'));
    expect(Math.max(...tl.samples.map((s) => s.ew.source))).toBe(2);
    expect(tl.samples.some((s) => (s.ew.units['web-eci'] ?? 0) > 0)).toBe(true);
    // Every pod the recorder saw bound to the virtual node is the ECI tier's, every other one the ECS tier's.
    const scheduled = tl.events.filter((e) => e.type === 'pod.scheduled');
    expect(scheduled.filter((e) => e.nodeType === 'eci').length).toBeGreaterThan(0);
    for (const e of scheduled) expect(e.owner).toBe(e.nodeType === 'eci' ? 'web-eci' : 'source');
    // The first ECI pod was bound only once two ECS pods were.
    const firstEci = Math.min(...scheduled.filter((e) => e.nodeType === 'eci').map((e) => e.t));
    expect(scheduled.filter((e) => e.nodeType === 'ecs' && e.t <= firstEci)).toHaveLength(2);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/failures="0"/);
  }, 600_000);
});
