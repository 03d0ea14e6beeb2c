/**
 * Options of the PostgreSQL tracking recorder and how they are read from an environment:
 *
 * | key | meaning |
 * |---|---|
 * | `DATABASE_URL` | connection string; when set, the five keys below are not needed |
 * | `POSTGRES_DBNAME`, `POSTGRES_HOST`, `POSTGRES_USER`, `POSTGRES_PASSWORD` | required without `DATABASE_URL` |
 * | `POSTGRES_PORT` | default 5432 |
 * | `POSTGRES_SCHEMA` | schema of the tables, created when missing (default `public`) |
 * | `POSTGRES_POOL_SIZE` | connections in the pool (default 5), plus one for LISTEN |
 * | `POSTGRES_CONNECT_TIMEOUT` | seconds to wait for a connection (default 30) |
 * | `CREATE_TABLE` | create missing schema and tables (default yes) |
 *
 * @module
 */
import type pg from 'pg';
import type { Environment } from '../../core/environment.js';
import {
  booleanSetting,
  CREATE_TABLE,
  lookedUp,
  missingSettingsError,
  numberSetting,
} from '../../core/environment-settings.js';
import { checkMilliseconds, MAX_TIMER_DELAY_MS } from '../../core/sleep.js';

export { CREATE_TABLE };
export const DATABASE_URL = 'DATABASE_URL';
export const POSTGRES_DBNAME = 'POSTGRES_DBNAME';
export const POSTGRES_HOST = 'POSTGRES_HOST';
export const POSTGRES_PORT = 'POSTGRES_PORT';
export const POSTGRES_USER = 'POSTGRES_USER';
export const POSTGRES_PASSWORD = 'POSTGRES_PASSWORD';
export const POSTGRES_SCHEMA = 'POSTGRES_SCHEMA';
export const POSTGRES_POOL_SIZE = 'POSTGRES_POOL_SIZE';
export const POSTGRES_CONNECT_TIMEOUT = 'POSTGRES_CONNECT_TIMEOUT';

/** The schema of the tables unless `schema` says otherwise. */
export const DEFAULT_POSTGRES_SCHEMA = 'public';
/** The tracking table unless `tableName` says otherwise. */
export const DEFAULT_POSTGRES_TRACKING_TABLE = 'tracking';
/** Connections in the pool by default (the LISTEN connection comes on top). */
export const DEFAULT_POSTGRES_POOL_SIZE = 5;
/** How long to wait for a connection by default, in milliseconds. */
export const DEFAULT_POSTGRES_CONNECT_TIMEOUT = 30_000;

/**
 * Options of `new PostgresTrackingRecorder(...)`: node-postgres pool settings (a
 * `connectionString`, or `host`, `database`, `user`, …) plus where the tables live.
 *
 * The pool's timeouts `connectionTimeoutMillis` (default 30 000) and `idleTimeoutMillis` take a
 * number of milliseconds ≥ 0, or `Infinity` for none (node-postgres's `0`); node-postgres waits
 * at most 2³¹ − 1 ms (about 24.8 days), so longer values wait that long. `NaN`, a negative
 * number or a value that is not a number is a `ProgrammingError`.
 */
export interface PostgresTrackingRecorderOptions extends pg.PoolConfig {
  /** The schema of the tracking table and the view's tables. @defaultValue `'public'` */
  readonly schema?: string;
  /** Create the schema, the tracking table and the view's tables when missing. @defaultValue `true` */
  readonly createTable?: boolean;
  /** The tracking table's name. @defaultValue `'tracking'` */
  readonly tableName?: string;
}

/**
 * The options found in an environment (see the module's table), each key looked up with the
 * environment's name as prefix first.
 *
 * @throws ConfigurationError naming every missing required key (and `DATABASE_URL` as the
 *   alternative), or a malformed number or flag.
 */
export function postgresTrackingOptionsFromEnvironment(
  env: Environment,
): PostgresTrackingRecorderOptions {
  const schema = env.get(POSTGRES_SCHEMA, DEFAULT_POSTGRES_SCHEMA);
  const createTable = booleanSetting(env, CREATE_TABLE, true);
  const max =
    numberSetting(env, POSTGRES_POOL_SIZE, { integer: true, min: 1 }) ?? DEFAULT_POSTGRES_POOL_SIZE;
  const connectSeconds = numberSetting(env, POSTGRES_CONNECT_TIMEOUT);
  const connectionTimeoutMillis =
    connectSeconds === undefined ? DEFAULT_POSTGRES_CONNECT_TIMEOUT : connectSeconds * 1000;
  const common = { schema, createTable, max, connectionTimeoutMillis };

  const connectionString = env.get(DATABASE_URL);
  if (connectionString !== undefined) return { connectionString, ...common };

  const required = [POSTGRES_DBNAME, POSTGRES_HOST, POSTGRES_USER, POSTGRES_PASSWORD];
  const missing = required.filter((key) => env.get(key) === undefined);
  if (missing.length > 0) {
    throw missingSettingsError(env, missing, `; or set ${lookedUp(env, DATABASE_URL)}`);
  }
  return {
    database: env.get(POSTGRES_DBNAME) as string,
    host: env.get(POSTGRES_HOST) as string,
    user: env.get(POSTGRES_USER) as string,
    password: env.get(POSTGRES_PASSWORD) as string,
    port: numberSetting(env, POSTGRES_PORT, { integer: true, min: 1 }) ?? 5432,
    ...common,
  };
}

/** The pool settings that are timeouts in milliseconds, checked by {@link poolTimeouts}. */
const POOL_TIMEOUTS = ['connectionTimeoutMillis', 'idleTimeoutMillis'] as const;

/**
 * `config` with its pool timeouts (`connectionTimeoutMillis`, `idleTimeoutMillis`) as
 * node-postgres takes them: `Infinity` becomes `0` (none), and values of 2³¹ ms and more (which
 * its timers would fire after 1 ms) become 2³¹ − 1 ms. Unset ones stay unset.
 *
 * @throws ProgrammingError for a timeout that is `NaN`, negative or not a number, naming it.
 */
export function poolTimeouts<C extends pg.PoolConfig>(config: C): C {
  const checked: Partial<Record<(typeof POOL_TIMEOUTS)[number], number>> = {};
  for (const key of POOL_TIMEOUTS) {
    const value: unknown = config[key];
    if (value === undefined) continue;
    const ms = checkMilliseconds(value, `PostgreSQL ${key}`);
    checked[key] = ms === Number.POSITIVE_INFINITY ? 0 : Math.min(ms, MAX_TIMER_DELAY_MS);
  }
  return { ...config, ...checked };
}
