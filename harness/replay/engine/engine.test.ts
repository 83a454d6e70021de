import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterStatus } from '../../../cluster/local/index.ts';
import { loadScenario } from '../../../scenarios/index.ts';
import { runReplay } from './engine.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('runReplay without a cluster', () => {
  it('an abort before the start starts nothing and still writes a partial report', async () => {
    const ac = new AbortController();
    ac.abort();
    const out = mkdtempSync(join(tmpdir(), 'ebf-replay-abort-'));
    const phases: string[] = [];
    const r = await runReplay({ scenario: await loadScenario(join(ROOT, 'scenarios/tiny.yaml')), out, clusterName: 'unit-never-started', signal: ac.signal, onProgress: (p) => phases.push(p.phase) });
    expect(r.interrupted).toBe(true);
    expect(phases).toEqual(['report']);
    expect(r.timeline.samples).toEqual([]);
    expect(r.timeline.meta.notes.join('\n')).toMatch(/interrupted after/);
    expect(existsSync(r.files.html)).toBe(true);
    expect(readFileSync(r.files.markdown, 'utf8')).toContain('interrupted');
    expect((await clusterStatus('unit-never-started')).exists).toBe(false);
  });

  it('bad input fails before anything starts, naming the scenario file and field', async () => {
    const scenario = await loadScenario(join(ROOT, 'scenarios/tiny.yaml'));
    scenario.elasticWorkload = { units: [{ name: 'nope' }] };
    const out = mkdtempSync(join(tmpdir(), 'ebf-replay-bad-'));
    await expect(runReplay({ scenario, out, clusterName: 'unit-never-started' })).rejects.toThrow(/tiny\.yaml: elasticWorkload\.units\[0\]\.name: .*no unit "nope"/);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
  });
});
