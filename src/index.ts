/**
 * eventsourcing-kurrentdb: event sourcing on KurrentDB.
 *
 * The root entry holds the application layer (`Application`, `defineAggregate`, aggregate actors
 * and the repository) and the core: stored-event types, the recorder ports, the error hierarchy,
 * environment lookup and the persistence-module factory. Adapters live in subpaths:
 * `eventsourcing-kurrentdb/memory`, `eventsourcing-kurrentdb/kurrentdb`; test tooling in
 * `eventsourcing-kurrentdb/testing`.
 *
 * @module
 */

/* Application and aggregates */
export {
  AGGREGATE_CACHE_FASTFORWARD,
  AGGREGATE_CACHE_MAXSIZE,
  AGGREGATE_COMMAND_RETRIES,
  AGGREGATE_IDLE_TIMEOUT,
  Application,
  type ApplicationOptions,
  IS_SNAPSHOTTING_ENABLED,
} from './application/application.js';
/* Projections */
export {
  createView,
  VIEW_MODULES,
  type ViewClass,
  type ViewModule,
  type ViewOption,
} from './application/create-view.js';
export {
  type AggregateCommandEvent,
  type AggregateExecutedEvent,
  type AggregateLogic,
  type AggregateLogicInput,
  type AggregateLogicSnapshot,
  type AggregateLogicState,
  type AggregateRejectedEvent,
  type AggregateReplyEvent,
  fromAggregate,
} from './application/from-aggregate.js';
export type {
  CreatePersistenceOptions,
  Persistence,
  PersistenceModuleName,
} from './application/persistence.js';
export {
  createPersistence,
  KURRENTDB_ROOT_CERTIFICATES,
  KURRENTDB_URI,
  PERSISTENCE_MODULE,
  PERSISTENCE_MODULES,
} from './application/persistence.js';
/* Process managers */
export {
  type ProcessInstanceState,
  ProcessRunner,
  type ProcessRunnerOptions,
} from './application/process-runner.js';
export {
  type ProjectionProgress,
  ProjectionRunner,
  type ProjectionRunnerOptions,
  type RunnerWaitOptions,
} from './application/projection-runner.js';
export { afterCommit } from './core/after-commit.js';
/* Ports */
export type {
  AggregateRecorder,
  AppendedEvents,
  SelectEventsOptions,
} from './core/aggregate-recorder.js';
export type {
  ApplicationRecorder,
  SelectNotificationsOptions,
  SubscribeOptions,
} from './core/application-recorder.js';
export {
  CONFLICT_CHANNEL,
  type ConflictMessage,
  RETRY_CHANNEL,
  type RetryMessage,
} from './core/diagnostics.js';
export type { EnvironmentValues } from './core/environment.js';
/* Configuration */
export { Environment } from './core/environment.js';
export type { ErrorCode } from './core/errors.js';
/* Errors */
export {
  AggregateNotFoundError,
  CommandRejectedError,
  ConfigurationError,
  DecodingError,
  EventSourcingError,
  IntegrityError,
  isConfigurationError,
  isIntegrityError,
  isPersistenceError,
  isProgrammingError,
  OperationalError,
  PersistenceError,
  ProgrammingError,
  ProjectionError,
  TimeoutError,
  WaitInterruptedError,
} from './core/errors.js';
export type { ProcessInstanceRecord, ProcessStore } from './core/process-store.js';
export type { StandardSchemaV1 } from './core/standard-schema.js';
export type { SubscriptionSource } from './core/stoppable-subscription.js';
export { StoppableSubscription } from './core/stoppable-subscription.js';
/* Stored events and notifications */
export type { EventMetadata, Notification, StoredEvent } from './core/stored-event.js';
export type { Subscription } from './core/subscription.js';
export {
  type BatchingTrackingRecorder,
  DEFAULT_TRACKING_WAIT_TIMEOUT,
  inBatch,
  isBatchingTrackingRecorder,
  type Tracking,
  type TrackingRecorder,
  type TrackingWaitOptions,
} from './core/tracking-recorder.js';
/* Transcoding: how payloads, metadata values and snapshots are stored */
export {
  type AnyTranscoding,
  BUILT_IN_TRANSCODING_NAMES,
  defaultTranscoder,
  nonFiniteNumbers,
  Transcoder,
  type Transcoding,
} from './core/transcoder.js';
/* Diagrams: state machines as Mermaid text */
export { type DiagramSource, isDiagramSource } from './diagram/machine-graph.js';
export { type ToMermaidOptions, toMermaid } from './diagram/to-mermaid.js';
export {
  AggregateActor,
  type ExecuteOptions,
  type Recording,
} from './runtime/aggregate/aggregate-actor.js';
export type { InspectObserver } from './runtime/aggregate/aggregate-runtime.js';
export type { ExecuteMetadataOptions } from './runtime/aggregate/command-ids.js';
export {
  type AggregateDefinition,
  type AggregateOptions,
  type CommandOf,
  type DomainEventOf,
  defineAggregate,
  type Upcaster,
} from './runtime/aggregate/define-aggregate.js';
export { SCHEMA_VERSION } from './runtime/aggregate/event-codec.js';
export { type GetOptions, Repository } from './runtime/aggregate/repository.js';
export {
  defineProcess,
  type ProcessDefinition,
  type ProcessInput,
  type ProcessOptions,
  type UpstreamEvent,
  type UpstreamEventOf,
} from './runtime/process/define-process.js';
export {
  MAX_COMMANDS_PER_STEP,
  type ProcessReplyEvent,
  type ProcessStepReport,
} from './runtime/process/process-engine.js';
export type { DurableTimer } from './runtime/process/process-step.js';
export {
  type CommandRequest,
  PROCESS_COMMAND,
  type ProcessCommandEvent,
  sendCommand,
} from './runtime/process/send-command.js';
export {
  type EventHandler,
  type HandlersOf,
  type ProjectedEventContext,
  Projection,
} from './runtime/projection/projection.js';
export {
  type Batch,
  type BufferStats,
  type PullBatchesOptions,
  processBatches,
  pullBatches,
} from './runtime/projection/pull-batches.js';
