export { startCluster, stopCluster, clusterStatus, attachCluster, type LocalCluster, type ClusterStatus } from './lifecycle.ts';
export { clusterConfigSchema, type ClusterConfig, type ClusterConfigInput } from './config.ts';
export { stateDir, kubeconfigPath, listClusterNames, registerClusterProcess, ebbflowClusterDir } from './state.ts';
export { makeKeepAliveClient } from './api-client.ts';
