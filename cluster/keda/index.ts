export { EXTERNAL_METRICS_APISERVICE, EXTERNAL_METRICS_GROUP, externalMetricsObjects, installKedaCrds, KEDA_COMPONENT, KEDA_NAMESPACE, metricsApiserverArgs, operatorArgs, startKeda, type RunningKeda } from './manager.ts';
export { certificateNames, makeKedaCertificates, serverExtensions, type KedaCertificates } from './certs.ts';
