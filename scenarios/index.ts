export { loadScenario, parseScenario, scenarioSchema, virtualSeconds, durationSeconds, type Scenario, type ScenarioFile } from './format.ts';
export { loadCurveFile, parseCurveCsv, constCurve, makeCurve, clockSeconds, DAY_SECONDS, type Curve } from './curve.ts';
export * as transforms from './transforms.ts';
