/**
 * In-memory recorders: the library's default persistence, and the reference the KurrentDB
 * adapter is checked against by the same contract suites. Nothing is persisted across processes.
 *
 * @module eventsourcing-kurrentdb/memory
 */
export { MemoryAggregateRecorder } from './aggregate-recorder.js';
export { MemoryApplicationRecorder } from './application-recorder.js';
export { MemoryProcessStore } from './process-store.js';
export { MemorySnapshotRecorder } from './snapshot-recorder.js';
export { MemoryTrackingRecorder } from './tracking-recorder.js';
