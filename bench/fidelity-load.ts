import { readFileSync } from 'node:fs';

/**
 * What the machine was doing during a run: the 1-minute load average and the share of all cores
 * busy (from /proc/stat), sampled once a second, plus this process's own CPU. On a shared 2-core
 * machine every figure of a replay is only as good as the load beside it.
 */
export interface LoadFigures {
  loadAvgMean: number;
  loadAvgMax: number;
  /** Share of all cores busy, %, mean and max over 1 s intervals. */
  busyMean: number;
  busyMax: number;
  /** This process's CPU time (user + system) per wall second, in cores. */
  selfCores: number;
}

function cpuTimes(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (line[3] ?? 0) + (line[4] ?? 0);
  const total = line.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export function watchLoad(): { stop(): LoadFigures } {
  const loads: number[] = [];
  const busy: number[] = [];
  let last = cpuTimes();
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  const timer = setInterval(() => {
    loads.push(Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]));
    const now = cpuTimes();
    if (now.total > last.total) busy.push((100 * (now.busy - last.busy)) / (now.total - last.total));
    last = now;
  }, 1000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const cpu = process.cpuUsage(cpu0);
      const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
      return {
        loadAvgMean: mean(loads),
        loadAvgMax: loads.length ? Math.max(...loads) : NaN,
        busyMean: mean(busy),
        busyMax: busy.length ? Math.max(...busy) : NaN,
        selfCores: (cpu.user + cpu.system) / 1000 / (performance.now() - wall0),
      };
    },
  };
}
