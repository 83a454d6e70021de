import { describeAgreement, simAgreement } from '../../../reports/agreement.ts';
import { writeReports } from '../../../reports/index.ts';
import type { Scenario } from '../../../scenarios/index.ts';
import { loadSystemManifests, runBasis, simulate, systemFromScenario } from '../../../simulator/index.ts';
import { manifestsSource } from '../../../manifests/files.ts';
import type { ReplayResult } from './engine.ts';

/**
 * `replay --report-fidelity`: the simulator on the same scenario and manifests, overlaid on the
 * replay's report (rewritten in `out`); returns its agreement with the replay, one line per series.
 */
export async function reportFidelity(scenario: Scenario, manifestsFlag: string | undefined, out: string, r: ReplayResult): Promise<string[]> {
  const system = systemFromScenario(scenario, await loadSystemManifests(manifestsSource(scenario, manifestsFlag)));
  const basis = runBasis(scenario, system);
  const sim = simulate(scenario, system, { settings: basis.settings }).timeline!;
  writeReports(out, r.timeline, r.results, { wallSeconds: r.wallSeconds, warnings: r.warnings, sim, basis, ...(r.baseline ? { baseline: r.baseline } : {}) });
  return simAgreement(r.timeline, sim).map((a) => `simulator agreement ${describeAgreement(a)}`);
}
