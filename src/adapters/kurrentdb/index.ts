/**
 * KurrentDB adapter (`eventsourcing-kurrentdb/kurrentdb`): application and snapshot recorders on
 * the official `@kurrent/kurrentdb-client`.
 *
 * @module
 */

export { DEFAULT_RETRY, type RetryOptions } from './connection-retry.js';
export { type KurrentDBUri, maskUri, parseKurrentDBUri } from './connection-uri.js';
export {
  createKurrentDBRecorders,
  KURRENTDB_ROOT_CERTIFICATES,
  KURRENTDB_URI,
  type KurrentDBRecorders,
  type KurrentDBRecordersOptions,
  kurrentDBOptionsFromEnvironment,
} from './create-recorders.js';
export { KurrentDBAggregateRecorder } from './kurrentdb-aggregate-recorder.js';
export {
  KURRENTDB_RECORDER_CAPABILITIES,
  KurrentDBApplicationRecorder,
} from './kurrentdb-application-recorder.js';
export {
  KurrentDBConnection,
  type KurrentDBConnectionOptions,
} from './kurrentdb-connection.js';
export {
  KurrentDBSnapshotRecorder,
  ORIGINATOR_VERSION_KEY,
} from './kurrentdb-snapshot-recorder.js';
export {
  APPLICATION_STREAMS_REGEX,
  escapeRegex,
  SNAPSHOT_STREAM_PREFIX,
  snapshotStreamName,
  topicsRegex,
} from './notification-filter.js';
export type { ResubscribeInfo, ResubscribeOptions } from './notification-subscription.js';
