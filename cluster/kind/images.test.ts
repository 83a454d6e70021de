import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exporterImageBuild, nodeBaseImageTags, parseBaseImages } from './images.ts';

describe('node20 base images', () => {
  it('reads the two image names the script prints last', () => {
    expect(parseBaseImages('noise\nebbflow/node20-build:v20.20.2\nebbflow/node20-runtime:v20.20.2\n')).toEqual({
      build: 'ebbflow/node20-build:v20.20.2',
      runtime: 'ebbflow/node20-runtime:v20.20.2',
    });
  });

  it('names the images as node20-base.sh makes them, so a caller can tell whether the script has work to do', () => {
    const script = readFileSync(new URL('./node20-base.sh', import.meta.url), 'utf8');
    const version = /^VERSION="\$\("\$NODE" --version\)"$/m.test(script) ? 'v20.1.2' : 'unparsed';
    const named = ['MINBASE_IMAGE', 'BUILD_IMAGE', 'RUNTIME_IMAGE'].map((v) => new RegExp(`^${v}="([^"]+)"$`, 'm').exec(script)?.[1]?.replace('$VERSION', version));
    expect(nodeBaseImageTags('v20.1.2')).toEqual(named);
  });

  it('refuses output without both names, quoting it', () => {
    expect(() => parseBaseImages('ebbflow/node20-build:v20.1.0\n')).toThrow(/printed no image names: "ebbflow\/node20-build/);
    expect(() => parseBaseImages('ebbflow/node20-runtime:v20\nebbflow/node20-build:v20\n')).toThrow(/printed no image names/);
  });

  it('passes them to the Dockerfile as BUILD_IMAGE and RUNTIME_IMAGE', () => {
    const b = exporterImageBuild({ build: 'b:1', runtime: 'r:1' });
    expect(b.dockerfile).toBe('exporter/Dockerfile');
    expect(b.buildArgs).toEqual({ BUILD_IMAGE: 'b:1', RUNTIME_IMAGE: 'r:1' });
  });
});

describe('kind node image tag', () => {
  it('changes with the recipe and the kind version, so a stale image is never reused', async () => {
    const { nodeImageTag } = await import('./node-image.ts');
    const a = nodeImageTag('v1.36.1', 'recipe', 'v0.33.0');
    expect(a).toMatch(/^ebbflow\/kind-node:v1\.36\.1-[0-9a-f]{10}$/);
    expect(nodeImageTag('v1.36.1', 'recipe', 'v0.33.0')).toBe(a);
    expect(nodeImageTag('v1.36.1', 'recipe2', 'v0.33.0')).not.toBe(a);
    expect(nodeImageTag('v1.36.1', 'recipe', 'v0.34.0')).not.toBe(a);
  });
});
