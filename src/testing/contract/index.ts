/**
 * Contract suites for recorders: one vitest suite per port, run against every adapter
 * (in memory, KurrentDB, …) so they all behave alike. Adapter differences are named
 * {@link RecorderCapabilities}.
 *
 * @module
 */
export { describeAggregateRecorderContract } from './aggregate-recorder.contract.js';
export { describeApplicationRecorderContract } from './application-recorder.contract.js';
export {
  type AggregateRecorderContractOptions,
  type ApplicationRecorderContractOptions,
  CONTIGUOUS_NOTIFICATION_LOG,
  type RecorderCapabilities,
  type RecorderContractOptions,
  type SnapshotRecorderContractOptions,
} from './capabilities.js';
export {
  describeProcessStoreContract,
  type ProcessStoreCapabilities,
  type ProcessStoreContractOptions,
} from './process-store.contract.js';
export { describeSnapshotRecorderContract } from './snapshot-recorder.contract.js';
export {
  type CounterView,
  describeTrackingRecorderContract,
  type TrackingRecorderCapabilities,
  type TrackingRecorderContractOptions,
} from './tracking-recorder.contract.js';
