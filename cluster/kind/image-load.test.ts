import { describe, expect, it } from 'vitest';
import { archiveName, archivesToPrune, bakedNodeImageTag, bakedToPrune, imageKeys, inspectedImageId, parseSnapshotter } from './image-load.ts';

describe('image archives per content', () => {
  it('names an archive by its image IDs, whatever their order, and differently for other IDs', () => {
    const a = archiveName(['sha256:aaa', 'sha256:bbb']);
    expect(a).toMatch(/^images-[0-9a-f]{16}\.tar$/);
    expect(archiveName(['sha256:bbb', 'sha256:aaa'])).toBe(a);
    expect(archiveName(['sha256:aaa', 'sha256:ccc'])).not.toBe(a);
  });

  it('names an image by its reference too: the same content retagged (a new exporter tag) is another archive and another baked node image', () => {
    const before = imageKeys(['ebbflow/sls-exporter:a1', 'ebbflow/stand-in:1'], ['sha256:e', 'sha256:s']);
    const retagged = imageKeys(['ebbflow/sls-exporter:b2', 'ebbflow/stand-in:1'], ['sha256:e', 'sha256:s']);
    expect(before).toEqual(['ebbflow/sls-exporter:a1@sha256:e', 'ebbflow/stand-in:1@sha256:s']);
    expect(archiveName(retagged)).not.toBe(archiveName(before));
    expect(bakedNodeImageTag('ebbflow/kind-node:v1', retagged)).not.toBe(bakedNodeImageTag('ebbflow/kind-node:v1', before));
  });

  it('prunes all but the newest archives, never the current one nor files of other names', () => {
    const files = [
      { name: 'images-0000000000000001.tar', mtimeMs: 1 },
      { name: 'images-0000000000000002.tar', mtimeMs: 2 },
      { name: 'images-0000000000000003.tar', mtimeMs: 3 },
      { name: 'images-0000000000000004.tar', mtimeMs: 4 },
      { name: 'images-0000000000000005.tar.123.tmp', mtimeMs: 0 },
      { name: 'notes.txt', mtimeMs: 0 },
    ];
    // The current one (oldest here, just re-used) plus the two newest others stay.
    expect(archivesToPrune(files, 'images-0000000000000001.tar', 3).sort()).toEqual(['images-0000000000000002.tar']);
    expect(archivesToPrune(files, 'images-0000000000000004.tar', 1).sort()).toEqual(['images-0000000000000001.tar', 'images-0000000000000002.tar', 'images-0000000000000003.tar']);
  });
});

describe("what the node's containerd reports", () => {
  it("reads the image ID from crictl inspecti's JSON, and none from an error or other output", () => {
    expect(inspectedImageId(JSON.stringify({ status: { id: 'sha256:abc', repoTags: ['docker.io/ebbflow/x:1'] } }))).toBe('sha256:abc');
    expect(inspectedImageId(JSON.stringify({ status: { id: '' } }))).toBeUndefined();
    expect(inspectedImageId('FATA[0000] no such image')).toBeUndefined();
  });

  it('finds the CRI snapshotter in a containerd 1.x (version 2) and a 2.x (version 3) config dump', () => {
    const v2 = ['version = 2', '[plugins]', '  [plugins."io.containerd.grpc.v1.cri"]', '    sandbox_image = "registry.k8s.io/pause:3.10"', '[plugins."io.containerd.grpc.v1.cri".containerd]', '  default_runtime_name = "runc"', '  snapshotter = "overlayfs"', '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]', '  snapshotter = ""'].join('\n');
    expect(parseSnapshotter(v2)).toBe('overlayfs');
    // containerd 1.6's own dump indents its tables.
    expect(parseSnapshotter(v2.split('\n').map((l) => `    ${l}`).join('\n'))).toBe('overlayfs');
    const v3 = ['version = 3', '[plugins."io.containerd.cri.v1.images"]', '  snapshotter = "native"', '[plugins."io.containerd.cri.v1.runtime"]'].join('\n');
    expect(parseSnapshotter(v3)).toBe('native');
    expect(() => parseSnapshotter('version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\n  default_runtime_name = "runc"\n')).toThrow(/no CRI snapshotter/);
  });
});

describe('node images with the images baked in', () => {
  it('tags one per base and content, and prunes only other bakes of the same base beyond the newest', () => {
    const base = 'ebbflow/kind-node:v1.36.1-20adf1eb7a';
    const tag = bakedNodeImageTag(base, ['sha256:b', 'sha256:a']);
    expect(tag).toBe(`${base}-with-${archiveName(['sha256:a', 'sha256:b']).slice(7, -4)}`);
    expect(bakedNodeImageTag(base, ['sha256:a', 'sha256:c'])).not.toBe(tag);
    // `docker images` lists newest first.
    const listed = [`${base}-with-3333333333333333`, tag, `${base}-with-2222222222222222`, `${base}-with-1111111111111111`, base, 'ebbflow/kind-node:v1.35.0-0000000000-with-9999999999999999'];
    expect(bakedToPrune(listed, base, tag, 3)).toEqual([`${base}-with-1111111111111111`]);
    expect(bakedToPrune(listed, base, tag, 1)).toEqual([`${base}-with-3333333333333333`, `${base}-with-2222222222222222`, `${base}-with-1111111111111111`]);
  });
});
