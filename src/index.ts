/**
 * eventsourcing-kurrentdb: event sourcing on KurrentDB.
 *
 * The root entry holds the core: stored-event types, the recorder ports, the error hierarchy,
 * environment lookup and the persistence-module factory. Adapters live in subpaths:
 * `eventsourcing-kurrentdb/memory`, `eventsourcing-kurrentdb/kurrentdb`; test tooling in
 * `eventsourcing-kurrentdb/testing`.
 *
 * @module
 */

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
/* Ports */
export type { AggregateRecorder, SelectEventsOptions } from './core/aggregate-recorder.js';
export type {
  ApplicationRecorder,
  SelectNotificationsOptions,
  SubscribeOptions,
} from './core/application-recorder.js';
export type { EnvironmentValues } from './core/environment.js';
/* Configuration */
export { Environment } from './core/environment.js';
export type { ErrorCode } from './core/errors.js';
/* Errors */
export {
  ConfigurationError,
  EventSourcingError,
  IntegrityError,
  isConfigurationError,
  isIntegrityError,
  isPersistenceError,
  isProgrammingError,
  OperationalError,
  PersistenceError,
  ProgrammingError,
} from './core/errors.js';
export type { SubscriptionSource } from './core/stoppable-subscription.js';
export { StoppableSubscription } from './core/stoppable-subscription.js';
/* Stored events and notifications */
export type { EventMetadata, Notification, StoredEvent } from './core/stored-event.js';
export type { Subscription } from './core/subscription.js';
