/**
 * How the replay's options travel: from `runReplay` to the components, every function they pass
 * through (a stop), in how many files (places), how often the walk comes back to a file it had left
 * (returns) and under how many names. Method and last figures: harness/replay/README.md.
 *
 *   npm run bench:option-flow -- [--root DIR] [--entry harness/replay/engine/engine.ts] [--exclude FILE[:FN],...] [--list]
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize, traceOptions } from './trace.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const root = resolve(arg('--root', fileURLToPath(new URL('../../', import.meta.url))));
const entry = arg('--entry', 'harness/replay/engine/engine.ts');
// The replay's folders, the clock it owns and the existing backend's cluster side, where its flags go.
const scope = arg('--scope', 'harness/replay/,harness/clock/,cluster/existing/').split(',');
// One backend's path: the others' files (or `file:function`) left out.
const exclude = arg('--exclude', '').split(',').filter(Boolean);
const flow = summarize(traceOptions(root, entry, 'runReplay', { scope, exclude }));
if (process.argv.includes('--list')) for (const s of flow.stops) console.log(`${s.place}  ${s.fn}${s.names.length ? `  (${s.names.join(', ')})` : ''}`);
console.log(`options of runReplay (${entry}): ${flow.stops.length} stops in ${flow.places} places, ${flow.returns} returns to a place already left (${flow.cycles} back up their own path), ${flow.names} names`);
