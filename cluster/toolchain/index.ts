export { installToolchain, missingComponents, selectComponents, type InstallOptions, type InstallResult } from './install.ts';
export { resolveBinary, locateBinary, cacheRoot, toolchainDir, envOverrideName, componentFiles } from './paths.ts';
export { toolchainStatus, type BinaryStatus } from './status.ts';
export { COMPONENTS, DEFAULT_COMPONENTS, KUBERNETES_VERSION, KRUISE_VERSION, binaryOwners } from './versions.ts';
export type { ToolchainProgress } from './progress.ts';
export { lineProgress } from './progress.ts';
export { ensureBinaries } from './ensure.ts';
export { toolchainKey } from './key.ts';
export { kustomizer, kustomizeFits, kubectlOnPath, type Kustomizer } from './kustomize.ts';
