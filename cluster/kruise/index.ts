export { installKruiseCrds, startKruiseManager, KRUISE_COMPONENT, type KruiseResource, type RunningKruise } from './manager.ts';
export { MUTATING_NAME, VALIDATING_NAME, webhookConfigurations } from './webhooks.ts';
