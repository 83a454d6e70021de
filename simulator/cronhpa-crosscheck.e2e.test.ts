import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../scenarios/index.ts';
import { runReplay } from '../harness/replay/engine/engine.ts';
import { agreement } from '../core/checks/checks.ts';
import type { Timeline } from '../core/timeline/format.ts';
import { simulate } from './simulate.ts';
import { loadSystemManifests, systemFromScenario } from './system.ts';

const SCENARIO = fileURLToPath(new URL('./testdata/cronhpa/scenario.yaml', import.meta.url));
const at = (tl: Timeline, hms: string) => {
  const t = Date.parse(`${new Date(tl.meta.start).toISOString().slice(0, 10)}T${hms}Z`);
  return tl.samples.filter((s) => s.t <= t).at(-1)!.ew.replicas;
};

describe('the CronHPA model against the CronHPA controller and the real HPA', () => {
  it('replays the tiny step with a CronHPA floor on the local cluster and in the simulator: the same floor at the same minutes', async () => {
    const scenario = await loadScenario(SCENARIO);
    const replay = await runReplay({ scenario, out: mkdtempSync(join(tmpdir(), 'ebf-cron-xcheck-')), clusterName: 'e2e-cron-xcheck' });
    const sim = simulate(scenario, systemFromScenario(scenario, await loadSystemManifests(join(SCENARIO, '..')))).timeline!;
    const a = agreement(replay.timeline, sim, 'ew.replicas', 1);
    console.log(`simulator vs cluster with a CronHPA: ew.replicas within ±1 in ${a.percent.toFixed(1)}% of samples (worst diff ${a.worstDiff})`);
    for (const tl of [sim, replay.timeline]) {
      // 5,800 devices want 6; the morning job (07:05) holds 8; the evening job (07:14:30) hands the floor back over 1,500 devices.
      expect(at(tl, '07:04:30')).toBe(6);
      expect(at(tl, '07:06:00')).toBe(8);
      expect(at(tl, '07:14:00')).toBe(8);
      expect(at(tl, '07:16:00')).toBeLessThanOrEqual(2);
    }
    expect(a.percent).toBeGreaterThanOrEqual(90);
  }, 300_000);
});
