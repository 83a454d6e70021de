import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize, traceOptions } from './trace.ts';

/** A tiny program: options go to a plan, a backend through an interface, back to the plan's file, and to a component. */
function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'ebf-option-flow-'));
  mkdirSync(join(root, 'app'));
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true, target: 'ES2022' }, include: ['app'] }));
  writeFileSync(join(root, 'app/plan.ts'), [
    'export interface Plan { name: string; k: number }',
    'export function plan(o: { name: string; k: number }): Plan { return { name: o.name, k: twice(o.k) }; }',
    'function twice(n: number): number { return 2 * n; }',
    'export function label(p: Plan): string { return p.name; }',
  ].join('\n'));
  writeFileSync(join(root, 'app/component.ts'), 'export class Part { constructor(readonly label: string) {} }\nexport function unrelated(x: number): number { return x; }\n');
  writeFileSync(join(root, 'app/backend.ts'), [
    "import type { Plan } from './plan.ts';",
    "import { label } from './plan.ts';",
    "import { Part } from './component.ts';",
    'export interface Backend { start(p: Plan): Part }',
    'export const local: Backend = { start: (p) => new Part(label(p)) };',
  ].join('\n'));
  writeFileSync(join(root, 'app/engine.ts'), [
    "import { plan } from './plan.ts';",
    "import { local } from './backend.ts';",
    "import { unrelated } from './component.ts';",
    'export function run(o: { name: string; k: number }): void {',
    '  const p = plan(o);',
    '  unrelated(3);',
    '  const backend = local;',
    '  backend.start(p);',
    '}',
  ].join('\n'));
  return root;
}

describe('the option flow', () => {
  it('follows the options into the functions they are passed to, through interfaces and constructors, in call order', () => {
    const stops = traceOptions(project(), 'app/engine.ts', 'run', { scope: ['app/'] });
    expect(stops.map((s) => `${s.place} ${s.fn}`)).toEqual(['app/engine.ts run', 'app/plan.ts plan', 'app/plan.ts twice', 'app/backend.ts start', 'app/plan.ts label', 'app/component.ts new Part']);
    expect(stops[1]!.names).toEqual(['o']);
    expect(stops[4]!.path).toEqual(['app/engine.ts', 'app/backend.ts']);
  });

  it('counts places, names and the returns to a place left before', () => {
    const f = summarize(traceOptions(project(), 'app/engine.ts', 'run', { scope: ['app/'] }));
    expect([f.stops.length, f.places, f.returns, f.cycles]).toEqual([6, 4, 1, 0]);
    // o, p (run, start, label), n (twice), label (Part's constructor).
    expect(f.names).toBe(4);
  });

  it('leaves out what is excluded or outside the scope', () => {
    expect(traceOptions(project(), 'app/engine.ts', 'run', { scope: ['app/'], exclude: ['app/backend.ts'] }).map((s) => s.fn)).toEqual(['run', 'plan', 'twice']);
    expect(traceOptions(project(), 'app/engine.ts', 'run', { scope: ['app/engine.ts'] }).map((s) => s.fn)).toEqual(['run']);
  });
});
