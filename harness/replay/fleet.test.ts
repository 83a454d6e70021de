import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEVICES_OF_JS, devicesOf, fleetLayout, fleetScript } from './fleet.ts';
import { exporterEnv, expandEnv } from './components/own-exporter.ts';
import { virtualWindow } from '../fake-sls/api-query.ts';

describe('fleet layout', () => {
  it('spreads every device over exactly one VU and slot per heartbeat period', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 3000 }), (vus, slots, target) => {
        const seen: number[] = [];
        for (let vu = 0; vu < vus; vu++) for (let slot = 0; slot < slots; slot++) for (const d of devicesOf({ vus, slots }, vu, slot, target)) {
          expect(d % slots).toBe(slot);
          expect(Math.floor(d / slots) % vus).toBe(vu);
          seen.push(d);
        }
        expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: target }, (_, i) => i));
      }),
    );
  });
  it('k6 runs the same assignment as devicesOf (the script\'s copy is evaluated here)', () => {
    const vus = 3;
    const slots = 5;
    const js = new Function('C', `${DEVICES_OF_JS}; return devicesOf;`)({ vus, slots }) as (vu: number, slot: number, target: number) => number[];
    for (const [vu, slot, target] of [[0, 0, 100], [2, 4, 1001], [1, 3, 7]] as const) expect(js(vu, slot, target)).toEqual(devicesOf({ vus, slots }, vu, slot, target));
  });
  it('ticks of ~100 ms, one heartbeat period = heartbeatSeconds / k, more VUs for a bigger fleet', () => {
    expect(fleetLayout({ heartbeatSeconds: 30, compression: 60, peakDevices: 2000 })).toEqual({ vus: 1, runners: 1, vusPerRunner: 1, tickMs: 100, slots: 5, heartbeatWallMs: 500 });
    expect(fleetLayout({ heartbeatSeconds: 30, compression: 60, peakDevices: 20_000 }).vus).toBe(3);
    expect(fleetLayout({ heartbeatSeconds: 30, compression: 600, peakDevices: 10 })).toMatchObject({ slots: 1, tickMs: 50 });
    expect(fleetLayout({ heartbeatSeconds: 1, compression: 1, peakDevices: 1e6 }).vus).toBe(8);
  });
  it('over n runners (a TestRun): every runner gets the same share, each capped like one process', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 2_000_000 }), (runners, peakDevices) => {
        const l = fleetLayout({ heartbeatSeconds: 30, compression: 60, peakDevices, runners });
        expect(l.vus).toBe(l.vusPerRunner * runners);
        expect(l.vusPerRunner).toBeGreaterThanOrEqual(1);
        expect(l.vusPerRunner).toBeLessThanOrEqual(8);
        // Never fewer VUs than one process would have had, unless the runners' cap binds.
        expect(l.vus).toBeGreaterThanOrEqual(Math.min(fleetLayout({ heartbeatSeconds: 30, compression: 60, peakDevices }).vus, 8 * runners));
      }),
    );
    expect(fleetLayout({ heartbeatSeconds: 1, compression: 1, peakDevices: 1e6, runners: 4 })).toMatchObject({ vus: 32, vusPerRunner: 8 });
    expect(fleetLayout({ heartbeatSeconds: 30, compression: 60, peakDevices: 20_000, runners: 2 })).toMatchObject({ vus: 4, vusPerRunner: 2 });
    expect(() => fleetLayout({ heartbeatSeconds: 30, compression: 60, peakDevices: 1, runners: 0 })).toThrow(/runners/);
  });
  it('the VU index is global across runners (exec.vu.idInTest), not __VU, which restarts in every runner', () => {
    const s = fleetScript({ layout: fleetLayout({ heartbeatSeconds: 30, compression: 60, peakDevices: 10, runners: 2 }), trackUrl: 'http://x/t', host: 'p.x', controlUrl: 'http://x/c', deviceField: 'device_id', duration: '40s' });
    expect(s).toContain("import exec from 'k6/execution'");
    expect(s).toContain('exec.vu.idInTest - 1');
    expect(s).not.toMatch(/const vu = .*__VU/);
    expect(s).toContain('duration: "40s"');
  });
  it('the script embeds the layout, the endpoints and the device field', () => {
    const s = fleetScript({ layout: fleetLayout({ heartbeatSeconds: 30, compression: 60, peakDevices: 10 }), trackUrl: 'http://127.0.0.1:1/logstores/ls/track', host: 'p.localhost:1', controlUrl: 'http://127.0.0.1:2/target', deviceField: 'device_id' });
    expect(s).toContain('"trackUrl":"http://127.0.0.1:1/logstores/ls/track"');
    expect(s).toContain('"field":"device_id"');
    expect(s).toContain("executor: 'constant-vus'");
  });
});

describe('own exporter environment', () => {
  const vars = exporterEnv({ endpoint: 'localhost:9', accessKeyId: 'ak', accessKeySecret: 'sk', project: 'p', logstore: 'l', query: 'q', compression: 60, windowSeconds: 60, intervalSeconds: 15 });
  it('names the fake, the keys, the target and the compressed poll interval', () => {
    expect(vars).toMatchObject({ SLS_ENDPOINT: 'localhost:9', SLS_PROJECT: 'p', SLS_LOGSTORE: 'l', ALIBABA_CLOUD_ACCESS_KEY_ID: 'ak', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'sk', EBBFLOW_EXPORTER_INTERVAL_SECONDS: '0.25', EBBFLOW_SLS_WINDOW_SECONDS: '60' });
  });
  it('expands ${NAME} of the documented variables in the scenario env, leaves others as written', () => {
    expect(expandEnv({ LOG_EP: 'http://${SLS_ENDPOINT}/x', KEEP: '${HOME}', N: 'plain' }, vars)).toEqual({ LOG_EP: 'http://localhost:9/x', KEEP: '${HOME}', N: 'plain' });
  });
});

describe('wall-clock query windows in a replay', () => {
  const p = { from: 0, to: 0, query: '*', topic: '', line: 100, offset: 0, reverse: false };
  const wall = 1_790_000_000;
  const virt = 1_767_600_000;
  it('a window ending at the wall now becomes the same length ending at the virtual now', () => {
    expect(virtualWindow({ ...p, from: wall - 60, to: wall }, wall + 0.4, virt + 0.9)).toMatchObject({ from: virt - 60, to: virt });
  });
  it('a window already in virtual time, or far from the wall clock, is left alone', () => {
    expect(virtualWindow({ ...p, from: virt - 60, to: virt }, wall, virt)).toMatchObject({ from: virt - 60, to: virt });
    expect(virtualWindow({ ...p, from: 100, to: 200 }, wall, virt)).toMatchObject({ from: 100, to: 200 });
  });
});
