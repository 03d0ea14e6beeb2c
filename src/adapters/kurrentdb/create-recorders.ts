/**
 * Composition root of the KurrentDB adapter: one connection, the recorders sharing it.
 *
 * @module
 */

import type { Environment } from '../../core/environment.js';
import { ConfigurationError } from '../../core/errors.js';
import { KurrentDBApplicationRecorder } from './kurrentdb-application-recorder.js';
import { KurrentDBConnection, type KurrentDBConnectionOptions } from './kurrentdb-connection.js';
import { KurrentDBSnapshotRecorder } from './kurrentdb-snapshot-recorder.js';
import type { ResubscribeOptions } from './notification-subscription.js';

/** Environment key of the connection string. */
export const KURRENTDB_URI = 'KURRENTDB_URI';
/** Environment key of the PEM root certificates. */
export const KURRENTDB_ROOT_CERTIFICATES = 'KURRENTDB_ROOT_CERTIFICATES';

/** Options of {@link createKurrentDBRecorders}. */
export interface KurrentDBRecordersOptions extends KurrentDBConnectionOptions {
  /** How subscriptions resume after a dropped connection. */
  readonly resubscribe?: ResubscribeOptions;
}

/** The recorders of one application, sharing one connection. */
export interface KurrentDBRecorders {
  readonly connection: KurrentDBConnection;
  readonly applicationRecorder: KurrentDBApplicationRecorder;
  readonly snapshotRecorder: KurrentDBSnapshotRecorder;
  /** Closes both recorders and so the connection. */
  close(): Promise<void>;
}

/**
 * Validates the settings and builds the recorders. Nothing connects until the first operation.
 *
 * @throws ConfigurationError for a malformed URI (credentials masked in the message) or
 *   malformed root certificates.
 */
export function createKurrentDBRecorders(options: KurrentDBRecordersOptions): KurrentDBRecorders {
  const connection = new KurrentDBConnection(options);
  const applicationRecorder = new KurrentDBApplicationRecorder(connection, options.resubscribe);
  const snapshotRecorder = new KurrentDBSnapshotRecorder(connection);
  return {
    connection,
    applicationRecorder,
    snapshotRecorder,
    async close() {
      await Promise.all([applicationRecorder.close(), snapshotRecorder.close()]);
    },
  };
}

/**
 * The connection options found in an environment: `KURRENTDB_URI` (required) and
 * `KURRENTDB_ROOT_CERTIFICATES`, each looked up with the application-name prefix first.
 *
 * @throws ConfigurationError when no URI is set.
 */
export function kurrentDBOptionsFromEnvironment(env: Environment): KurrentDBConnectionOptions {
  const uri = env.get(KURRENTDB_URI);
  if (uri === undefined) {
    const keys = env.createKeys(KURRENTDB_URI).join(', ');
    throw new ConfigurationError(
      `'${KURRENTDB_URI}' not found in environment with keys: '${keys}'`,
    );
  }
  return { uri, rootCertificates: env.get(KURRENTDB_ROOT_CERTIFICATES) };
}
