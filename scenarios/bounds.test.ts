import { describe, expect, it } from 'vitest';
import { parseScenario } from './format.ts';
import { SCENARIO_BOUNDS } from './bounds.ts';

const clock = (s: number) => [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, '0')).join(':');
const scenario = (steps: number) => `name: t\ncurve:\n  steps:\n${Array.from({ length: steps }, (_, i) => `    - ["${clock(i)}", 5]`).join('\n')}\nwindows: [{start: "00:00", end: "01:00"}]\n`;

describe('scenario bounds name the field and the bound', () => {
  it(`more than ${SCENARIO_BOUNDS.steps.max} curve steps`, async () => {
    await expect(parseScenario(scenario(SCENARIO_BOUNDS.steps.max + 1), 's.yaml')).rejects.toThrow(/^s\.yaml:3:3: curve\.steps: 10001 steps; must be between 1 and 10000 steps$/);
    await expect(parseScenario(scenario(SCENARIO_BOUNDS.steps.max), 's.yaml')).resolves.toMatchObject({ name: 't' });
  });
});
