export { loadScenario, parseScenario, scenarioSchema, virtualSeconds, type Scenario, type ScenarioFile, type ScenarioLoadOptions } from './format.ts';
export { durationSeconds, semanticIssues } from './validate.ts';
export { SCENARIO_BOUNDS, describeBound, type Bound, type BoundName } from './bounds.ts';
export { loadCurveFile, parseCurveCsv, parseCurveDays, type CurveDay, curveAtEpochMs, constCurve, makeCurve, clockSeconds, calendarDayMs, DAY_SECONDS, type Curve, type CurveParseOptions } from './curve.ts';
export * as transforms from './transforms.ts';
