export { startFakeSls, DEFAULT_CREDENTIALS, DEFAULT_PROJECTS, type FakeSls, type FakeSlsOptions, type Credential } from './server.ts';
export { FaultInjector, SLS_ERRORS, type Fault, type FaultKind, type SlsErrorCode } from './faults.ts';
export { parseQuery, execute, QueryError } from './query.ts';
export { sign, canonicalString } from './signature.ts';
export { EventStore, type StoredEvent } from './store.ts';
