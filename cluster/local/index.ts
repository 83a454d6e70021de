export { startCluster, stopCluster, clusterStatus, attachCluster, type LocalCluster, type ClusterStatus, type StartOptions, type TeardownReport } from './lifecycle.ts';
export { clusterConfigSchema, type ClusterConfig, type ClusterConfigInput } from './config.ts';
export { stateDir, kubeconfigPath, listClusterNames, listLocalClusters, listStateEntries, localClusterState, ebbflowClusterDir, clusterSupervisor, validateClusterName, isClusterName, insideRoot } from './state.ts';
export { listenersOf, isLoopback, type Listener } from './listeners.ts';
export { Supervisor, stopRecorded, processStartTime, isRecordedProcess, type ProcessRecord, type Supervised, type SpawnOptions } from './supervisor.ts';
export { makeKeepAliveClient } from './api-client.ts';
