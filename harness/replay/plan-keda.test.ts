import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { isUserError } from '../../core/errors.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { planReplay } from './plan.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('a replay of KEDA manifests', () => {
  it('is refused before any cluster, naming the ScaledObject and pointing at simulate', async () => {
    const scenario = await loadScenario(`${ROOT}scenarios/smoke-keda.yaml`);
    const e = await planReplay({ scenario, manifestsPath: `${ROOT}manifests/overlays/local-keda` }).then(() => undefined, (x: unknown) => x);
    expect(isUserError(e)).toBe(true);
    expect((e as Error).message).toMatch(/the scaler is a ScaledObject; a replay of it needs KEDA on the cluster/);
    expect((e as { hint?: string }).hint).toMatch(/ebbflow simulate/);
  });
});
