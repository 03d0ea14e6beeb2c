/**
 * PostgreSQL adapter (`eventsourcing-kurrentdb/postgres`): a tracking recorder on node-postgres
 * for views kept in PostgreSQL; a view's writes and its tracking record commit in one
 * transaction, and waits wake on LISTEN/NOTIFY. Needs the optional peer dependency `pg`.
 *
 * @module eventsourcing-kurrentdb/postgres
 */
export { maskConnectionString } from './mask-connection-string.js';
export {
  isConnectionError,
  isPostgresServerError,
  translatePostgresError,
} from './postgres-errors.js';
export {
  CREATE_TABLE,
  DATABASE_URL,
  DEFAULT_POSTGRES_CONNECT_TIMEOUT,
  DEFAULT_POSTGRES_POOL_SIZE,
  DEFAULT_POSTGRES_SCHEMA,
  DEFAULT_POSTGRES_TRACKING_TABLE,
  POSTGRES_CONNECT_TIMEOUT,
  POSTGRES_DBNAME,
  POSTGRES_HOST,
  POSTGRES_PASSWORD,
  POSTGRES_POOL_SIZE,
  POSTGRES_PORT,
  POSTGRES_SCHEMA,
  POSTGRES_USER,
  type PostgresTrackingRecorderOptions,
  postgresTrackingOptionsFromEnvironment,
} from './postgres-tracking-options.js';
export {
  type PostgresClient,
  PostgresTrackingRecorder,
  quotePostgresIdentifier,
} from './postgres-tracking-recorder.js';
