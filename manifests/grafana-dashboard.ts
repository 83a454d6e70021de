import { z } from 'zod';

/**
 * Grafana's dashboard JSON model (the classic, schemaVersion-numbered one the Grafana sidecar loads),
 * as a zod schema. Grafana publishes it as CUE and as the TypeScript types of the npm package
 * `@grafana/schema` (raw/dashboard/x/types.gen.d.ts, checked at 13.2.3); neither that package nor
 * `@grafana/grafana-foundation-sdk` ships a JSON Schema file, so this is those types written out,
 * required fields and enums included. Objects the types close are strict here, so a misspelt field
 * fails instead of being ignored by Grafana; free-form parts (panel `options`, `custom`) stay open.
 */

const dataSourceRef = z.strictObject({ type: z.string().optional(), uid: z.string().optional() });

const gridPos = z.strictObject({
  h: z.number().int().positive(),
  w: z.number().int().min(1).max(24),
  x: z.number().int().min(0).max(23),
  y: z.number().int().min(0),
  static: z.boolean().optional(),
});

const threshold = z.strictObject({ color: z.string(), value: z.number().nullable(), valueExpr: z.string().optional() });

const fieldConfig = z.strictObject({
  actions: z.array(z.unknown()).optional(),
  color: z.looseObject({ mode: z.string() }).optional(),
  custom: z.record(z.string(), z.unknown()).optional(),
  decimals: z.number().optional(),
  description: z.string().optional(),
  displayName: z.string().optional(),
  displayNameFromDS: z.string().optional(),
  filterable: z.boolean().optional(),
  links: z.array(z.unknown()).optional(),
  mappings: z.array(z.looseObject({ type: z.enum(['value', 'range', 'regex', 'special']) })).optional(),
  max: z.number().optional(),
  min: z.number().optional(),
  noValue: z.string().optional(),
  path: z.string().optional(),
  thresholds: z.strictObject({ mode: z.enum(['absolute', 'percentage']), steps: z.array(threshold) }).optional(),
  unit: z.string().optional(),
  writeable: z.boolean().optional(),
});

const fieldConfigSource = z.strictObject({
  defaults: fieldConfig,
  overrides: z.array(z.strictObject({ matcher: z.strictObject({ id: z.string(), options: z.unknown().optional(), scope: z.enum(['series', 'nested', 'annotation', 'exemplar']).optional() }), properties: z.array(z.strictObject({ id: z.string(), value: z.unknown().optional() })) })),
});

export const panelSchema = z.strictObject({
  autoMigrateFrom: z.string().optional(),
  cacheTimeout: z.string().optional(),
  datasource: dataSourceRef.optional(),
  description: z.string().optional(),
  fieldConfig: fieldConfigSource.optional(),
  gridPos: gridPos.optional(),
  hideTimeOverride: z.boolean().optional(),
  id: z.number().int().optional(),
  interval: z.string().optional(),
  libraryPanel: z.strictObject({ name: z.string().optional(), uid: z.string() }).optional(),
  links: z.array(z.unknown()).optional(),
  maxDataPoints: z.number().optional(),
  maxPerRow: z.number().optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  pluginVersion: z.string().optional(),
  queryCachingTTL: z.number().optional(),
  repeat: z.string().optional(),
  repeatDirection: z.enum(['h', 'v']).optional(),
  targets: z.array(z.record(z.string(), z.unknown())).optional(),
  timeCompare: z.string().optional(),
  timeFrom: z.string().optional(),
  timeShift: z.string().optional(),
  title: z.string().optional(),
  transformations: z.array(z.looseObject({ id: z.string(), options: z.unknown() })).optional(),
  transparent: z.boolean().optional(),
  type: z.string().min(1).refine((t) => t !== 'row', 'a row is a RowPanel'),
});

export const rowPanelSchema = z.strictObject({
  collapsed: z.boolean(),
  datasource: dataSourceRef.optional(),
  gridPos: gridPos.optional(),
  id: z.number().int(),
  panels: z.array(panelSchema),
  repeat: z.string().optional(),
  title: z.string().optional(),
  type: z.literal('row'),
});

const variableOption = z.strictObject({
  properties: z.record(z.string(), z.string()).optional(),
  selected: z.boolean().optional(),
  text: z.union([z.string(), z.array(z.string())]),
  value: z.union([z.string(), z.array(z.string())]),
});

const variableModel = z.strictObject({
  allValue: z.string().optional(),
  allowCustomValue: z.boolean().optional(),
  current: variableOption.optional(),
  datasource: dataSourceRef.optional(),
  description: z.string().optional(),
  enableGroupBy: z.boolean().optional(),
  hide: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]).optional(),
  includeAll: z.boolean().optional(),
  label: z.string().optional(),
  multi: z.boolean().optional(),
  name: z.string().regex(/^\w+$/, 'a variable name (letters, digits, _)'),
  options: z.array(variableOption).optional(),
  query: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  refresh: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  regex: z.string().optional(),
  regexApplyTo: z.enum(['value', 'text']).optional(),
  skipUrlSync: z.boolean().optional(),
  sort: z.number().int().min(0).max(8).optional(),
  staticOptions: z.array(variableOption).optional(),
  staticOptionsOrder: z.enum(['before', 'after', 'sorted']).optional(),
  type: z.enum(['query', 'adhoc', 'groupby', 'constant', 'datasource', 'interval', 'textbox', 'custom', 'system', 'snapshot', 'switch']),
  valuesFormat: z.enum(['csv', 'json']).optional(),
});

const annotationQuery = z.strictObject({
  builtIn: z.number().optional(),
  datasource: dataSourceRef,
  enable: z.boolean(),
  filter: z.strictObject({ exclude: z.boolean().optional(), ids: z.array(z.number()) }).optional(),
  hide: z.boolean().optional(),
  iconColor: z.string(),
  name: z.string(),
  placement: z.literal('inControlsMenu').optional(),
  target: z.strictObject({ limit: z.number(), matchAny: z.boolean(), tags: z.array(z.string()), type: z.string() }).optional(),
  type: z.string().optional(),
});

const dashboardLink = z.strictObject({
  asDropdown: z.boolean(),
  icon: z.string(),
  includeVars: z.boolean(),
  keepTime: z.boolean(),
  placement: z.literal('inControlsMenu').optional(),
  tags: z.array(z.string()),
  targetBlank: z.boolean(),
  title: z.string(),
  tooltip: z.string(),
  type: z.enum(['link', 'dashboards']),
  url: z.string().optional(),
});

export const dashboardSchema = z.strictObject({
  annotations: z.strictObject({ list: z.array(annotationQuery).optional() }).optional(),
  description: z.string().optional(),
  editable: z.boolean().optional(),
  fiscalYearStartMonth: z.number().int().min(0).max(11).optional(),
  gnetId: z.number().optional(),
  graphTooltip: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  id: z.number().nullable().optional(),
  links: z.array(dashboardLink).optional(),
  liveNow: z.boolean().optional(),
  panels: z.array(z.union([rowPanelSchema, panelSchema])).optional(),
  preload: z.boolean().optional(),
  refresh: z.string().optional(),
  revision: z.number().optional(),
  schemaVersion: z.number().int().positive(),
  tags: z.array(z.string()).optional(),
  templating: z.strictObject({ list: z.array(variableModel).optional() }).optional(),
  time: z.strictObject({ from: z.string(), to: z.string() }).optional(),
  timepicker: z.strictObject({ hidden: z.boolean().optional(), nowDelay: z.string().optional(), quick_ranges: z.array(z.unknown()).optional(), refresh_intervals: z.array(z.string()).optional() }).optional(),
  timezone: z.string().optional(),
  title: z.string().optional(),
  uid: z.string().max(40).optional(),
  version: z.number().optional(),
  weekStart: z.string().optional(),
});
export type GrafanaDashboard = z.output<typeof dashboardSchema>;
export type GrafanaPanel = z.output<typeof panelSchema>;
