import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { watchdogScript } from './shared-cluster.setup.ts';

describe("the shared kind cluster's watchdog", () => {
  it('runs the teardown command once its owner is gone, with every argument quoted', () => {
    const dir = mkdtempSync(join(tmpdir(), "ebf-watchdog-it's-"));
    // A stand-in for node: records the arguments it was run with.
    const fake = join(dir, "fake node's");
    writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > "${join(dir, 'args').replaceAll('"', '\\"')}"\n`, { mode: 0o755 });
    const gone = spawnSync('true').pid!;
    const r = spawnSync('sh', ['-c', watchdogScript(gone, 'e2e-kind-1', fake, "/repo/bin/it's ebbflow.js")], { timeout: 10_000 });
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'args'), 'utf8').trim().split('\n')).toEqual(["/repo/bin/it's ebbflow.js", 'cluster', 'down', '--backend', 'kind', '--cluster-name', 'e2e-kind-1']);
  });

  it('waits while its owner lives', () => {
    const r = spawnSync('sh', ['-c', watchdogScript(process.pid, 'x', '/bin/echo', 'never')], { timeout: 2_500 });
    // Still looping when the timeout killed it: the command never ran.
    expect(r.signal).toBe('SIGTERM');
    expect(String(r.stdout)).toBe('');
  });
});
