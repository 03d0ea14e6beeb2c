/**
 * Chooses and builds the persistence module from the environment, as the Python library does:
 *
 * | key | meaning |
 * |---|---|
 * | `PERSISTENCE_MODULE` | `memory` (default) or `kurrentdb` |
 * | `KURRENTDB_URI` | connection string; required for `kurrentdb` |
 * | `KURRENTDB_ROOT_CERTIFICATES` | optional PEM text of the CA(s) that signed the server's certificate |
 *
 * Each key is looked up first with the upper-cased application name as prefix
 * (`ORDERS_KURRENTDB_URI` for an application named `orders`), then without. Connection tuning
 * (deadlines, keep-alive, node preference, ...) stays in the URI's query string.
 *
 * @module
 */
import {
  createKurrentDBRecorders,
  KURRENTDB_ROOT_CERTIFICATES,
  KURRENTDB_URI,
  kurrentDBOptionsFromEnvironment,
} from '../adapters/kurrentdb/create-recorders.js';
import { MemoryApplicationRecorder } from '../adapters/memory/application-recorder.js';
import { MemorySnapshotRecorder } from '../adapters/memory/snapshot-recorder.js';
import type { AggregateRecorder } from '../core/aggregate-recorder.js';
import type { ApplicationRecorder } from '../core/application-recorder.js';
import { Environment, type EnvironmentValues } from '../core/environment.js';
import { ConfigurationError } from '../core/errors.js';

/** Environment keys read by {@link createPersistence}. */
export const PERSISTENCE_MODULE = 'PERSISTENCE_MODULE';
export { KURRENTDB_ROOT_CERTIFICATES, KURRENTDB_URI };

/** The persistence modules this library ships. */
export const PERSISTENCE_MODULES = ['memory', 'kurrentdb'] as const;
export type PersistenceModuleName = (typeof PERSISTENCE_MODULES)[number];

/** The recorders of one application, built from one persistence module. */
export interface Persistence {
  /** Which module was chosen. */
  readonly module: PersistenceModuleName;
  /** The application's events and notifications. */
  readonly applicationRecorder: ApplicationRecorder;
  /** The application's snapshots (never notifications). */
  readonly snapshotRecorder: AggregateRecorder;
  /** Closes both recorders and their shared connection. */
  close(): Promise<void>;
}

export interface CreatePersistenceOptions {
  /** The application name: its upper-cased form prefixes every key. @defaultValue `''` */
  readonly name?: string;
  /** Settings that override `process.env`. */
  readonly env?: EnvironmentValues;
  /** Settings that `process.env` overrides (e.g. an application class's `env`). */
  readonly defaults?: EnvironmentValues;
}

/**
 * Builds the recorders chosen by `PERSISTENCE_MODULE`.
 *
 * @throws ConfigurationError for an unknown module, a missing `KURRENTDB_URI` (naming the
 *   prefixed and the plain key), or a malformed URI (naming what is wrong with it).
 *
 * @example
 * ```ts
 * const persistence = createPersistence({
 *   name: 'orders',
 *   env: { PERSISTENCE_MODULE: 'kurrentdb', ORDERS_KURRENTDB_URI: 'kurrentdb://localhost:2113?tls=false' },
 * });
 * await persistence.applicationRecorder.maxNotificationId();
 * ```
 */
export function createPersistence(options: CreatePersistenceOptions = {}): Persistence {
  const env = new Environment(
    options.name ?? '',
    options.defaults ?? {},
    process.env,
    options.env ?? {},
  );
  const module = env.get(PERSISTENCE_MODULE, 'memory').trim().toLowerCase();
  switch (module) {
    case 'memory':
      return memoryPersistence();
    case 'kurrentdb':
      return kurrentdbPersistence(env);
    default:
      throw new ConfigurationError(
        `Unknown persistence module '${module}' in ${keyList(env, PERSISTENCE_MODULE)}: expected one of ${PERSISTENCE_MODULES.map((m) => `'${m}'`).join(', ')}`,
      );
  }
}

function memoryPersistence(): Persistence {
  const applicationRecorder = new MemoryApplicationRecorder();
  const snapshotRecorder = new MemorySnapshotRecorder();
  return {
    module: 'memory',
    applicationRecorder,
    snapshotRecorder,
    close: async () => {
      await Promise.all([applicationRecorder.close(), snapshotRecorder.close()]);
    },
  };
}

function kurrentdbPersistence(env: Environment): Persistence {
  const recorders = createKurrentDBRecorders(kurrentDBOptionsFromEnvironment(env));
  return { module: 'kurrentdb', ...recorders };
}

function keyList(env: Environment, key: string): string {
  return `'${env.createKeys(key).join(', ')}'`;
}
