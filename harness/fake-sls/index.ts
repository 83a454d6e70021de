export { startFakeSls, DEFAULT_CREDENTIALS, DEFAULT_PROJECTS, type FakeSls, type FakeSlsOptions, type Credential } from './server.ts';
export { FaultInjector, FaultInputError, parseFaultBody, SLS_ERRORS, type Fault, type FaultKind, type SlsErrorCode } from './faults.ts';
export { parseQuery, execute, QueryError } from './query.ts';
export { sign, canonicalString, isSignedHeader } from './signature.ts';
export { EventStore, type StoredEvent, type SlsEventStore } from './store.ts';
export { ColumnarStore } from './columnar.ts';
export { compress, decompress, type CompressType } from './compression.ts';
