import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../scenarios/index.ts';
import { runReplay } from '../harness/replay/engine/engine.ts';
import { agreement } from '../core/checks/checks.ts';
import { simulate, systemFromScenario } from './index.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

describe('simulator against the real HPA', () => {
  it('replays a short scenario on the local cluster and in the simulator and compares replica timelines', async () => {
    const scenario = await loadScenario(join(ROOT, 'scenarios/tiny.yaml'));
    const replay = await runReplay({ scenario, out: mkdtempSync(join(tmpdir(), 'ebf-xcheck-')), clusterName: 'e2e-crosscheck' });
    const sim = simulate(scenario, systemFromScenario(scenario)).timeline!;
    const a = agreement(replay.timeline, sim, 'ew.replicas', 1);
    const d = agreement(replay.timeline, sim, 'hpa.desired', 1);
    console.log(`simulator vs cluster (tiny.yaml): ew.replicas within ±1 in ${a.percent.toFixed(1)}% of samples (worst diff ${a.worstDiff}), hpa.desired ${d.percent.toFixed(1)}% (goal ≥ 98%)`);
    expect(replay.timeline.samples.length).toBeGreaterThan(20);
    // A floor under the 98 % goal: timing jitter of a loaded 2-core machine moves single samples.
    expect(a.percent).toBeGreaterThanOrEqual(90);
    const peak = (tl: typeof sim) => Math.max(...tl.samples.map((s) => s.ew.replicas));
    expect(Math.abs(peak(sim) - peak(replay.timeline))).toBeLessThanOrEqual(1);
  }, 300_000);
});
