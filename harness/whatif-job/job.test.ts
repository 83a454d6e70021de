import { describe, expect, it } from 'vitest';
import { apiErrorMessage, CONFIGMAP_LIMIT_BYTES, checkInputSize, inputConfigMap, jobProgress, podsByIndex, sweepJob, usableNodes, type SweepJobSpec } from './job.ts';
import { contextFiles, toolImageTag } from './image.ts';

const spec = (over: Partial<SweepJobSpec> = {}): SweepJobSpec => ({ name: 'ebbflow-whatif-ab12', namespace: 'ns', image: 'ebbflow/ebbflow:0.1.0-abc', shards: 3, input: Buffer.from('x'), backoffLimit: 3, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 60, ...over });

describe('whatif Job objects', () => {
  it('is an Indexed Job with one shard per completion index, non-root and read-only', () => {
    const job = sweepJob(spec());
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimit: 3, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 60 });
    const pod = job.spec!.template.spec!;
    const c = pod.containers[0]!;
    expect(c.args).toEqual(['--input', '/input/input.json.gz', '--shard', '$(JOB_COMPLETION_INDEX)/3']);
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
    expect(pod.volumes![0]!.configMap!.name).toBe('ebbflow-whatif-ab12');
    expect(job.metadata!.labels!['ebbflow.io/whatif-sweep']).toBe('ebbflow-whatif-ab12');
  });

  it('carries the input as binary data and refuses more than a ConfigMap holds', () => {
    expect(Buffer.from(inputConfigMap(spec({ input: Buffer.from([0x1f, 0x8b, 1]) })).binaryData!['input.json.gz']!, 'base64')).toEqual(Buffer.from([0x1f, 0x8b, 1]));
    expect(() => checkInputSize(CONFIGMAP_LIMIT_BYTES)).not.toThrow();
    expect(() => inputConfigMap(spec({ input: Buffer.alloc(CONFIGMAP_LIMIT_BYTES + 1) }))).toThrow(/1\.00 MiB compressed, over the 1 MiB a ConfigMap may hold/);
  });

  it('reads progress and failure from the Job status', () => {
    expect(jobProgress({ spec: { completions: 3, template: {} }, status: { succeeded: 2 } })).toEqual({ succeeded: 2, total: 3 });
    expect(jobProgress({ spec: { completions: 3, template: {} }, status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] } }).failed).toBe('BackoffLimitExceeded: Job has reached the specified backoff limit');
  });

  it('takes one succeeded pod per index and names a missing index', () => {
    const pods = [{ name: 'a-1-x', phase: 'Failed', index: '1' }, { name: 'a-1-y', phase: 'Succeeded', index: '1' }, { name: 'a-0', phase: 'Succeeded', index: '0' }];
    expect(podsByIndex(pods, 2)).toEqual(['a-0', 'a-1-y']);
    expect(() => podsByIndex(pods, 3)).toThrow(/completion index 2/);
  });

  it('counts the nodes a shard can run on', () => {
    const ready = { type: 'Ready', status: 'True' };
    expect(usableNodes([
      { status: { conditions: [ready] } },
      { spec: { unschedulable: true }, status: { conditions: [ready] } },
      { spec: { taints: [{ key: 'virtual-kubelet.io/provider', effect: 'NoSchedule' }] }, status: { conditions: [ready] } },
      { status: { conditions: [{ type: 'Ready', status: 'False' }] } },
    ])).toBe(1);
  });
});

describe('API errors', () => {
  it('quote the API server\'s message, escaped quotes and all', () => {
    const body = JSON.stringify({ kind: 'Status', status: 'Failure', message: 'namespaces "no-such-ns" not found', reason: 'NotFound', code: 404 });
    expect(apiErrorMessage(Object.assign(new Error('HTTP-Code: 404'), { code: 404, body }))).toBe('namespaces "no-such-ns" not found');
    expect(apiErrorMessage({ body: { message: 'forbidden' } })).toBe('forbidden');
    expect(apiErrorMessage(new Error('connect ECONNREFUSED'))).toBe('connect ECONNREFUSED');
    expect(apiErrorMessage(Object.assign(new Error('x'), { body: '<html>' }))).toBe('x');
  });
});

describe('tool image tag', () => {
  it('changes with any context file or base, and the context is the sources without tests', () => {
    const files = [{ path: 'a.ts', bytes: Buffer.from('1') }];
    const tag = toolImageTag('0.1.0', files, ['b', 'r']);
    expect(tag).toMatch(/^ebbflow\/ebbflow:0\.1\.0-[0-9a-f]{12}$/);
    expect(toolImageTag('0.1.0', [{ path: 'a.ts', bytes: Buffer.from('2') }], ['b', 'r'])).not.toBe(tag);
    expect(toolImageTag('0.1.0', files, ['b2', 'r'])).not.toBe(tag);
    const ctx = contextFiles();
    expect(ctx).toContain('simulator/whatif-shard-main.ts');
    // The entry point runs advise's shards too: its sources must be in the image.
    expect(ctx).toContain('harness/whatif-job/shard-entry.ts');
    expect(ctx).toContain('advise/shard.ts');
    expect(ctx).toContain('harness/whatif-job/Dockerfile');
    expect(ctx.some((f) => f.endsWith('.test.ts') || f.includes('node_modules'))).toBe(false);
    // Test support changes no image: the shared e2e cluster's helpers are not in its context.
    expect(ctx).not.toContain('cluster/local/testing.ts');
    expect(ctx).not.toContain('cluster/local/shared-cluster.setup.ts');
  });
});
