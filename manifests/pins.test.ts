import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyManifests, MANIFESTS_DIR, renderOverlay } from './index.ts';
import { dockerfileBases, unpinnedImages } from './pins.ts';

const copies: { remove(): void }[] = [];
afterEach(() => copies.splice(0).forEach((c) => c.remove()));
const repo = (p: string) => join(MANIFESTS_DIR, '..', p);
/** Every Dockerfile this package ships or builds from. */
const DOCKERFILES = ['exporter/Dockerfile', 'harness/whatif-job/Dockerfile'];

describe('images pinned by digest', () => {
  it('the shipped production overlays pass; a tag put into the aliyun overlay is named with the fix; local is the harness’s', async () => {
    expect(unpinnedImages(await renderOverlay('aliyun'), 'aliyun')).toEqual([]);
    expect(unpinnedImages(await renderOverlay('local'), 'local')).toEqual([]);
    const c = copyManifests();
    copies.push(c);
    const k = join(c.dir, 'overlays/aliyun/kustomization.yaml');
    const text = readFileSync(k, 'utf8');
    const tagged = text.replace(/(newName: registry-vpc\.cn-hangzhou\.aliyuncs\.com\/YOUR_NAMESPACE\/sls-exporter\n\s+)digest: sha256:0{64}/, '$1newTag: "1.2"');
    expect(tagged).not.toBe(text);
    writeFileSync(k, tagged);
    const problems = unpinnedImages(await renderOverlay('aliyun', c.dir), 'aliyun');
    expect(problems).toEqual([
      {
        object: 'Deployment sls-exporter/sls-exporter image',
        message: expect.stringMatching(/^Deployment sls-exporter\/sls-exporter: container exporter: image registry-vpc\.cn-hangzhou\.aliyuncs\.com\/YOUR_NAMESPACE\/sls-exporter:1\.2 is pinned by tag, not by digest .*kustomize edit set image/),
      },
    ]);
  });
});

describe('Dockerfile base images', () => {
  it('reads each stage’s base with build args resolved; a stage built on another stage is no base', () => {
    const bases = dockerfileBases(`ARG B=node:20@sha256:${'a'.repeat(64)}\nARG R=distroless:nonroot\nARG NODEFAULT\nFROM \${B} AS build\nFROM build AS test\nFROM $R\nFROM --platform=linux/amd64 busybox:1 AS x\n`);
    expect(bases).toEqual([
      { ref: `node:20@sha256:${'a'.repeat(64)}`, arg: 'B', pinned: true },
      { ref: 'distroless:nonroot', arg: 'R', pinned: false },
      { ref: 'busybox:1', pinned: false },
    ]);
  });

  it('every tag-only base of the shipped Dockerfiles is a build arg, documented with its pinning', () => {
    const readme = readFileSync(join(MANIFESTS_DIR, 'README.md'), 'utf8');
    for (const f of DOCKERFILES) {
      const text = readFileSync(repo(f), 'utf8');
      const bases = dockerfileBases(text);
      expect(bases.length, f).toBeGreaterThanOrEqual(1);
      for (const b of bases.filter((x) => !x.pinned)) {
        // A tag-only base must be replaceable by a digest at build time, and say how.
        expect(b.arg, `${f}: ${b.ref}`).toBeDefined();
        expect(readme, `${f}: ${b.ref}`).toContain(`--build-arg ${b.arg}=${b.ref}@sha256:`);
        expect(readme, f).toContain(f);
        expect(text, f).toMatch(/manifests\/README\.md, "Base images"/);
      }
    }
  });
});
