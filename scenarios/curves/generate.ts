/**
 * Generates the shipped daily curves (1-minute resolution, UTC clock of the service's local day).
 * Synthetic, seeded and reproducible: `npx tsx scenarios/curves/generate.ts` rewrites the CSVs
 * byte for byte. The model and what shaped it are in scenarios/curves/README.md.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rng } from '../transforms.ts';

const PEAK = 1_200_000;
const MIN = 1440;

/** A bump: Gaussian in minutes of day. */
const bump = (m: number, at: number, width: number, height: number) => height * Math.exp(-0.5 * ((m - at) / width) ** 2);

function diurnal(m: number, kind: 'weekday' | 'weekend'): number {
  if (kind === 'weekday') {
    return 0.1 + bump(m, 9.5 * 60, 100, 0.55) + bump(m, 12.75 * 60, 70, 0.35) + bump(m, 16 * 60, 150, 0.4) + bump(m, 21 * 60, 110, 0.78) + bump(m, 24 * 60 + 60, 200, 0.2) + bump(m, -60, 200, 0.25);
  }
  return 0.12 + bump(m, 11 * 60, 130, 0.5) + bump(m, 15 * 60, 180, 0.5) + bump(m, 21.5 * 60, 120, 0.85) + bump(m, 24 * 60 + 60, 200, 0.3) + bump(m, -60, 200, 0.32);
}

/** AR(1) multiplicative noise: minute-to-minute wobble that is correlated, as real counts are. */
function ar1(seed: number, sigma: number): number[] {
  const r = rng(seed);
  const out: number[] = [];
  let x = 0;
  for (let i = 0; i < MIN; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    x = 0.9 * x + sigma * g;
    out.push(x);
  }
  return out;
}

function series(shape: (m: number) => number, seed: number): number[] {
  const n = ar1(seed, 0.004);
  const raw = Array.from({ length: MIN }, (_, m) => shape(m));
  const peak = Math.max(...Array.from({ length: MIN }, (_, m) => diurnal(m, 'weekday')));
  return raw.map((v, m) => Math.max(0, Math.round((PEAK * v * (1 + n[m]!)) / peak)));
}

const curves: Record<string, number[]> = {
  weekday: series((m) => diurnal(m, 'weekday'), 1),
  weekend: series((m) => diurnal(m, 'weekend'), 2),
  // Holiday evening broadcast: everyone opens the app within minutes at 20:00, then it decays.
  'holiday-flash-crowd': series((m) => diurnal(m, 'weekend') * (1 + (m >= 20 * 60 ? 1.6 * Math.exp(-(m - 20 * 60) / 25) * Math.min(1, (m - 20 * 60 + 1) / 4) : 0)), 3),
  // Incident at 14:00: a gateway failure disconnects 70% of devices for 20 min, then a reconnect storm overshoots.
  'incident-dip-recovery': series((m) => {
    const base = diurnal(m, 'weekday');
    if (m >= 14 * 60 && m < 14 * 60 + 20) return base * 0.3;
    if (m >= 14 * 60 + 20) return base * (1 + 0.35 * Math.exp(-(m - (14 * 60 + 20)) / 8));
    return base;
  }, 4),
};

const dir = fileURLToPath(new URL('.', import.meta.url));
for (const [name, values] of Object.entries(curves)) {
  const rows = values.map((v, m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')},${v}`);
  writeFileSync(`${dir}${name}.csv`, `time,devices\n${rows.join('\n')}\n`);
  process.stdout.write(`${name}.csv: ${values.length} points, peak ${Math.max(...values)} at ${rows[values.indexOf(Math.max(...values))]!.split(',')[0]}\n`);
}
