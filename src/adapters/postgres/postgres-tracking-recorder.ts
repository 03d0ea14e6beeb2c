/**
 * The PostgreSQL tracking recorder (node-postgres): the base class of views kept in PostgreSQL.
 * A view's writes and its tracking record commit in one transaction, which also announces the
 * commit with `pg_notify`, so waits in every process wake without polling.
 * {@link PostgresTrackingRecorder.batch} spans many such tracked transactions with one
 * transaction on one pooled connection (they become savepoints).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { type Observable, Subject } from 'rxjs';
import type { Environment } from '../../core/environment.js';
import { IntegrityError, PersistenceError } from '../../core/errors.js';
import { InsertSignal } from '../../core/insert-signal.js';
import { sleepUnlessAborted } from '../../core/sleep.js';
import {
  type BatchingTrackingRecorder,
  BatchScope,
  firstOf,
  isTracked,
  type SavepointStatements,
  type Tracking,
  TrackingBatches,
  type TrackingRecorder,
  type TrackingWaitOptions,
  waitForTracking,
} from '../../core/tracking-recorder.js';
import { NotificationListener } from './notification-listener.js';
import { translatePostgresError } from './postgres-errors.js';
import {
  DEFAULT_POSTGRES_CONNECT_TIMEOUT,
  DEFAULT_POSTGRES_POOL_SIZE,
  DEFAULT_POSTGRES_SCHEMA,
  DEFAULT_POSTGRES_TRACKING_TABLE,
  type PostgresTrackingRecorderOptions,
  poolTimeouts,
  postgresTrackingOptionsFromEnvironment,
} from './postgres-tracking-options.js';

/**
 * The safety-net poll of a wait, in milliseconds: first pause and longest pause. Notifications
 * normally wake a wait long before; the poll covers a LISTEN connection that is down.
 */
const SAFETY_POLL_FIRST_MS = 500;
const SAFETY_POLL_MAX_MS = 2000;
/** Serialises concurrent table setup (CREATE … IF NOT EXISTS races in PostgreSQL). */
const SETUP_LOCK_KEY = 0x65_73_6b_74; // 'eskt'

/** A pooled connection, as views see it inside {@link PostgresTrackingRecorder.trackedTransaction}. */
export type PostgresClient = pg.PoolClient;

/** `"name"`, quoted as a PostgreSQL identifier. */
export const quotePostgresIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * A {@link TrackingRecorder} in PostgreSQL: table `<schema>.tracking` (by default) with one row
 * per upstream application, whose id only ever increases (`bigint`, read back exactly).
 *
 * Nothing connects in the constructor; the schema and tables are set up on first use (or by
 * {@link ready}). Each commit calls `pg_notify` in its transaction; `wait` listens on a dedicated
 * connection (opened by the first wait) and polls only as a safety net (500 ms doubling to 2 s).
 *
 * A {@link batch} holds one pooled connection until it ends; work outside the batch uses other
 * connections and sees only committed state (a tracked transaction of the same application
 * waits on the tracking row the batch has locked).
 *
 * @example
 * ```ts
 * class Counts extends PostgresTrackingRecorder {
 *   protected override async createViewTables(client: PostgresClient): Promise<void> {
 *     await client.query(`CREATE TABLE IF NOT EXISTS ${this.table('counts')} (name text PRIMARY KEY, n bigint NOT NULL)`);
 *   }
 *   increment(name: string, tracking: Tracking): Promise<void> {
 *     return this.trackedTransaction(tracking, async (client) => {
 *       await client.query(`INSERT INTO ${this.table('counts')} VALUES ($1, 1) ON CONFLICT (name) DO UPDATE SET n = counts.n + 1`, [name]);
 *     });
 *   }
 * }
 * const view = Counts.fromEnvironment(new Environment('counts', process.env));
 * ```
 */
export class PostgresTrackingRecorder implements BatchingTrackingRecorder {
  /** The persistence module views of this class live in (read by the `ProjectionRunner`). */
  static readonly persistenceModule = 'postgres';

  /** The connection pool; views may read through it. */
  protected readonly pool: pg.Pool;
  /** The schema of the tracking table and of the view's tables. */
  protected readonly schema: string;
  /** The tracking table's name (unqualified). */
  protected readonly trackingTable: string;
  readonly #createTable: boolean;
  readonly #channel: string;
  readonly #listener: NotificationListener;
  readonly #changed = new InsertSignal();
  readonly #closed = new AbortController();
  readonly #commits = new Subject<Tracking>();
  readonly #batches = new TrackingBatches<pg.PoolClient>();
  /** The deferred statements of each open batch (see {@link trackedStatement}). */
  readonly #deferred = new WeakMap<BatchScope<pg.PoolClient>, DeferredStatements>();
  readonly #statementNames = new Map<string, string>();
  #setup: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  /**
   * Each tracking record recorded through this recorder, after its commit (for a batch, after
   * the batch's commit). Commits of other recorders are not emitted (their `pg_notify` wakes
   * waits only). Completes on {@link close}.
   */
  readonly committed$: Observable<Tracking> = this.#commits.asObservable();

  /**
   * Creates the pool; connects lazily (see {@link ready}).
   *
   * @throws ProgrammingError for a pool timeout (`connectionTimeoutMillis`, `idleTimeoutMillis`)
   *   that is `NaN`, negative or not a number.
   */
  constructor(options: PostgresTrackingRecorderOptions) {
    const { schema, createTable, tableName, ...poolConfig } = options;
    this.schema = schema ?? DEFAULT_POSTGRES_SCHEMA;
    this.trackingTable = tableName ?? DEFAULT_POSTGRES_TRACKING_TABLE;
    this.#createTable = createTable ?? true;
    const config: pg.PoolConfig = poolTimeouts({
      max: DEFAULT_POSTGRES_POOL_SIZE,
      connectionTimeoutMillis: DEFAULT_POSTGRES_CONNECT_TIMEOUT,
      ...poolConfig,
    });
    // Pipelined (node-postgres ≥ 8.23) unless the options say `pipeline: false`: the deferred
    // statements of a batch go out back to back, many per round trip (see trackedStatement).
    // Older drivers ignore the option.
    this.pool = new pg.Pool({ pipeline: true, ...config });
    // An idle connection that fails is dropped by the pool; without a listener it would crash.
    this.pool.on('error', () => undefined);
    this.#channel = trackingChannel(this.schema, this.trackingTable);
    this.#listener = new NotificationListener(config, this.#channel, () => this.#changed.notify());
  }

  /**
   * A recorder (or view) configured by the environment: `DATABASE_URL`, or `POSTGRES_DBNAME`,
   * `POSTGRES_HOST`, `POSTGRES_PORT`, `POSTGRES_USER`, `POSTGRES_PASSWORD`; and
   * `POSTGRES_SCHEMA`, `POSTGRES_POOL_SIZE`, `POSTGRES_CONNECT_TIMEOUT` (seconds), `CREATE_TABLE`.
   *
   * @throws ConfigurationError naming the missing keys, or for a malformed value.
   */
  static fromEnvironment<T extends PostgresTrackingRecorder>(
    this: new (
      options: PostgresTrackingRecorderOptions,
    ) => T,
    env: Environment,
  ): T {
    return new this(postgresTrackingOptionsFromEnvironment(env));
  }

  /**
   * Sets up the schema and tables now (otherwise the first operation does), so that bad
   * settings or a missing table fail early.
   *
   * @throws PersistenceError when the database is unreachable, or when `createTable` is false
   *   and the tracking table does not exist.
   */
  ready(): Promise<void> {
    if (this.#closed.signal.aborted) {
      return Promise.reject(new PersistenceError('The PostgreSQL tracking recorder is closed'));
    }
    this.#setup ??= this.#setUp().catch((error: unknown) => {
      this.#setup = undefined; // let the next call try again
      throw error;
    });
    return this.#setup;
  }

  /** @throws IntegrityError when the id is not greater than the application's max. */
  async insertTracking(t: Tracking): Promise<void> {
    await this.trackedTransaction(t, () => undefined);
  }

  async maxTrackingId(applicationName: string): Promise<bigint | undefined> {
    await this.ready();
    try {
      const result = await this.pool.query<{ notification_id: string }>(
        `SELECT notification_id FROM ${this.table(this.trackingTable)} WHERE application_name = $1`,
        [applicationName],
      );
      const row = result.rows[0];
      return row === undefined ? undefined : BigInt(row.notification_id);
    } catch (error) {
      throw translatePostgresError(error, `Failed to read tracking of ${applicationName}`);
    }
  }

  async hasTrackingId(
    applicationName: string,
    notificationId: bigint | undefined,
  ): Promise<boolean> {
    return isTracked(notificationId, () => this.maxTrackingId(applicationName));
  }

  wait(
    applicationName: string,
    notificationId: bigint | undefined,
    options: TrackingWaitOptions = {},
  ): Promise<void> {
    return waitForTracking(applicationName, notificationId, options, {
      has: async () => {
        // Listen before looking, so that a commit between the look and the sleep still wakes us.
        await this.#listener.ready();
        return this.hasTrackingId(applicationName, notificationId);
      },
      changed: (signal, attempt) =>
        firstOf(
          signal,
          (s) => this.#changed.wait(s),
          (s) =>
            sleepUnlessAborted(
              Math.min(SAFETY_POLL_MAX_MS, SAFETY_POLL_FIRST_MS * 2 ** attempt),
              s,
            ),
        ),
      closed: this.#closed.signal,
    });
  }

  /**
   * Interrupts pending waits, completes {@link committed$}, ends the LISTEN connection and the
   * pool. Safe to call twice.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed.abort();
      this.#commits.complete();
      await this.#setup?.catch(() => undefined);
      await this.#listener.close();
      await this.pool.end();
    })();
    return this.#closing;
  }

  /**
   * Runs `work` in one `BEGIN` … `COMMIT` on one pooled connection; tracked transactions
   * started inside `work` (at any await depth) run on that connection as savepoints of it, and
   * their tracking records are announced (`pg_notify`, delivered on commit) and emitted on
   * {@link committed$} after the commit. Work outside the batch uses other connections. A
   * `batch` inside `work` is a savepoint. See {@link BatchingTrackingRecorder.batch}.
   *
   * @throws whatever escapes `work` (server and connection errors translated); the whole batch
   *   is rolled back.
   * @throws PersistenceError (or `OperationalError` for a lost connection) when the batch cannot
   *   begin or commit, or when the server rolled it back.
   */
  async batch<T>(work: () => Promise<T>): Promise<T> {
    const current = this.#batches.current();
    if (current !== undefined) {
      return this.#batches.nested(
        current,
        this.#afterDeferred(current, savepointStatements(current.connection)),
        work,
      );
    }
    await this.ready();
    const context = 'Failed to commit a batch of tracked transactions';
    const client = await this.#connect(context);
    const scope = new BatchScope(client);
    let result: T;
    try {
      await client.query('BEGIN');
      try {
        result = await this.#batches.run(scope, work);
      } finally {
        scope.end();
        await scope.idle();
      }
      await this.#flushDeferred(scope);
      if (scope.broken !== undefined) {
        throw new PersistenceError(
          `${context}: a statement of the batch failed, or a savepoint could not be rolled back`,
          {
            cause: scope.broken,
          },
        );
      }
      const committed = await client.query('COMMIT');
      // COMMIT of a transaction the server aborted answers ROLLBACK instead of failing.
      if (committed.command !== 'COMMIT') {
        throw new PersistenceError(`${context}: the server rolled the batch back`);
      }
    } catch (error) {
      scope.end();
      throw await rolledBack(client, error, context);
    }
    client.release();
    this.#published(scope.recorded);
    return result;
  }

  /** `"schema"."name"`: a table of this recorder's schema, quoted for SQL. */
  protected table(name: string): string {
    return `${quotePostgresIdentifier(this.schema)}.${quotePostgresIdentifier(name)}`;
  }

  /**
   * Creates the view's tables (in {@link schema}; use {@link table} for their names). Runs once,
   * in the transaction that creates the schema and the tracking table, unless `createTable` is
   * false. Override it in a view. @defaultValue does nothing
   */
  protected async createViewTables(_client: PostgresClient): Promise<void> {}

  /**
   * Records `tracking` and runs `write` in one transaction: both commit or neither. The
   * tracking record is written first, so an equal or older id fails before `write` runs, and
   * concurrent transactions of one application queue on its tracking row. The commit is
   * announced to every waiting recorder. Resolves with what `write` returns.
   *
   * @throws IntegrityError "Failed to record tracking for <app> <id>" when the id is not greater
   *   than the application's max; nothing is written.
   * Inside a {@link batch} it runs on the batch's connection as a savepoint, committed (and
   * announced, and emitted on {@link committed$}) with the batch; a nested tracked transaction
   * started by `write` is a savepoint inside it.
   *
   * @throws whatever `write` throws (server and connection errors translated); nothing is written.
   */
  protected async trackedTransaction<T>(
    tracking: Tracking,
    write: (client: PostgresClient) => T | Promise<T>,
  ): Promise<T> {
    const context = `Failed to record tracking for ${tracking.applicationName} ${tracking.notificationId}`;
    const scope = this.#batches.current();
    if (scope !== undefined) {
      const client = scope.connection;
      let recorded = 0;
      // One round trip: the previous savepoint's release, this one, and the tracking upsert.
      const statements: SavepointStatements = {
        ...savepointStatements(client),
        savepoint: async (name, releasePrevious) => {
          const results: unknown = await client.query(
            `${releasePrevious ? `RELEASE SAVEPOINT ${name}; ` : ''}SAVEPOINT ${name}; ${this.#upsertSql(
              client.escapeLiteral(tracking.applicationName),
              tracking.notificationId.toString(),
              client.escapeLiteral(this.#channel),
            )}`,
          );
          const last = (Array.isArray(results) ? results.at(-1) : results) as
            | pg.QueryResult
            | undefined;
          recorded = last?.rowCount ?? 0;
        },
      };
      try {
        return await this.#batches.nested(
          scope,
          this.#afterDeferred(scope, statements),
          async (level) => {
            if (recorded === 0) throw new IntegrityError(context);
            level.recorded.push(tracking); // before nested ones; dropped if `write` fails
            return await write(level.connection);
          },
        );
      } catch (error) {
        throw translatePostgresError(error, context, false);
      }
    }
    await this.ready();
    const client = await this.#connect(context);
    let result: T;
    try {
      await client.query('BEGIN');
      await this.#recordTracking(client, tracking, context);
      result = await write(client);
      await client.query('COMMIT');
    } catch (error) {
      throw await rolledBack(client, error, context);
    }
    client.release();
    this.#published([tracking]);
    return result;
  }

  /**
   * Records `tracking` and runs one SQL statement whose result the view does not need (an
   * `INSERT`, `UPDATE` or `DELETE` with `$1`… parameters), atomically — the fast path of a view
   * that writes one statement per event.
   *
   * Outside a {@link batch} it is {@link trackedTransaction} with that statement. Inside a batch
   * it resolves as soon as the statement is queued: the batch's statements go out pipelined
   * (back to back, many per round trip), the tracking record is written once for the run of
   * statements, and the whole batch fails (and is rolled back) if any of them fails or if the
   * tracking ids overlap what another transaction committed — there is no savepoint per
   * statement. The `ProjectionRunner` then retries the batch's events one by one, each in its own
   * transaction, so a failing event is still named. Reads inside later tracked transactions of
   * the batch see the queued statements' effects (they run on the same connection, in order).
   *
   * @throws IntegrityError when the id is not greater than the application's max (inside a
   *   batch: than the previous id of the batch, or, at commit, than the committed max).
   */
  protected async trackedStatement(
    tracking: Tracking,
    text: string,
    values?: readonly unknown[],
  ): Promise<void> {
    const scope = this.#batches.current();
    if (scope === undefined || scope.depth > 0) {
      await this.trackedTransaction(tracking, async (client) => {
        await client.query(text, values as unknown[] | undefined);
      });
      return;
    }
    await scope.exclusive(() => this.#defer(scope, tracking, text, values));
  }

  /** Queues one deferred statement of the batch `root` (see {@link trackedStatement}). */
  #defer(
    root: BatchScope<pg.PoolClient>,
    tracking: Tracking,
    text: string,
    values: readonly unknown[] | undefined,
  ): void {
    const { applicationName, notificationId } = tracking;
    const client = root.connection;
    let deferred = this.#deferred.get(root);
    if (deferred === undefined) {
      deferred = { runs: new Map(), pending: [], error: undefined };
      this.#deferred.set(root, deferred);
    }
    let run = deferred.runs.get(applicationName);
    if (run !== undefined && notificationId <= run.last) {
      throw new IntegrityError(
        `Failed to record tracking for ${applicationName} ${notificationId}`,
      );
    }
    if (run === undefined) {
      // Lock the tracking row early (when it exists), so that a second writer of the same
      // application waits here instead of doing its work twice; the check is at the flush.
      const lock = client.query(
        `SELECT 1 FROM ${this.table(this.trackingTable)} WHERE application_name = $1 FOR UPDATE`,
        [applicationName],
      );
      deferred.pending.push(this.#caught(deferred, lock, tracking));
      run = { first: notificationId, last: notificationId };
      deferred.runs.set(applicationName, run);
    } else {
      run.last = notificationId;
    }
    // Named, so each connection parses and plans the statement once, not once per event.
    const config: pg.QueryConfig = { name: this.#statementName(text), text };
    if (values !== undefined) config.values = [...values];
    const statement = client.query(config);
    deferred.pending.push(this.#caught(deferred, statement, tracking));
    root.recorded.push(tracking);
  }

  /** The prepared-statement name of a tracked statement's text (a hash of it). */
  #statementName(text: string): string {
    let name = this.#statementNames.get(text);
    if (name === undefined) {
      name = `es_${shortHash(text)}`;
      this.#statementNames.set(text, name);
    }
    return name;
  }

  /** Keeps the first failure of a batch's deferred statements, naming its tracking record. */
  #caught(
    deferred: DeferredStatements,
    query: Promise<unknown>,
    tracking: Tracking,
  ): Promise<void> {
    return query.then(
      () => undefined,
      (error: unknown) => {
        deferred.error ??= translatePostgresError(
          error,
          `Failed to record tracking for ${tracking.applicationName} ${tracking.notificationId}`,
          false,
        );
      },
    );
  }

  /**
   * Waits for the deferred statements of the batch `root` and writes the tracking record of each
   * run of them (only if no other transaction recorded an id at or after the run's first). A
   * failure breaks the batch: it can no longer commit, even if the caller catches the error.
   */
  async #flushDeferred(root: BatchScope<pg.PoolClient>): Promise<void> {
    const deferred = this.#deferred.get(root);
    if (deferred === undefined) return;
    this.#deferred.delete(root);
    const client = root.connection;
    try {
      const upserts = [...deferred.runs].map(async ([applicationName, run]) => {
        const result = await client.query(this.#upsertSql('$1', '$2', '$3', '$4'), [
          applicationName,
          run.last.toString(),
          this.#channel,
          run.first.toString(),
        ]);
        if ((result.rowCount ?? 0) === 0) {
          throw new IntegrityError(`Failed to record tracking for ${applicationName} ${run.first}`);
        }
      });
      const settled = await Promise.allSettled(upserts);
      await Promise.all(deferred.pending);
      if (deferred.error !== undefined) throw deferred.error;
      for (const outcome of settled) {
        if (outcome.status === 'rejected') throw outcome.reason;
      }
    } catch (error) {
      root.broken ??= error;
      throw error;
    }
  }

  /** `statements` of a child of `scope`, preceded by the flush of the batch's deferred statements. */
  #afterDeferred(
    scope: BatchScope<pg.PoolClient>,
    statements: SavepointStatements,
  ): SavepointStatements {
    if (scope.depth > 0) return statements;
    return {
      ...statements,
      savepoint: async (name, releasePrevious) => {
        await this.#flushDeferred(scope);
        await statements.savepoint(name, releasePrevious);
      },
    };
  }

  /** Wakes this recorder's waits and emits the committed records. */
  #published(recorded: readonly Tracking[]): void {
    this.#changed.notify();
    for (const t of recorded) this.#commits.next(t);
  }

  async #connect(context: string): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw translatePostgresError(error, context);
    }
  }

  /**
   * The tracking upsert that only increases, announcing the change on the channel; one row
   * when recorded, none when the id is not greater. Takes SQL fragments: parameters or literals.
   */
  #upsertSql(
    applicationName: string,
    notificationId: string,
    channel: string,
    below: string = 'EXCLUDED.notification_id',
  ): string {
    const table = this.table(this.trackingTable);
    return `WITH recorded AS (
           INSERT INTO ${table} (application_name, notification_id) VALUES (${applicationName}, ${notificationId})
           ON CONFLICT (application_name) DO UPDATE SET notification_id = EXCLUDED.notification_id
           WHERE ${table}.notification_id < ${below}
           RETURNING notification_id
         )
         SELECT pg_notify(${channel}, ${applicationName}) FROM recorded`;
  }

  async #recordTracking(client: pg.PoolClient, tracking: Tracking, context: string): Promise<void> {
    let recorded: number;
    try {
      const result = await client.query(this.#upsertSql('$1', '$2', '$3'), [
        tracking.applicationName,
        tracking.notificationId.toString(),
        this.#channel,
      ]);
      recorded = result.rowCount ?? 0;
    } catch (error) {
      throw translatePostgresError(error, context);
    }
    if (recorded === 0) throw new IntegrityError(context);
  }

  async #setUp(): Promise<void> {
    const context = `Failed to set up tracking table ${this.table(this.trackingTable)}`;
    const client = await this.#connect(context);
    try {
      if (this.#createTable) {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK_KEY]);
        const schema = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [
          this.schema,
        ]);
        // Only when missing: CREATE SCHEMA needs the CREATE privilege even with IF NOT EXISTS.
        if (schema.rowCount === 0) {
          await client.query(`CREATE SCHEMA IF NOT EXISTS ${quotePostgresIdentifier(this.schema)}`);
        }
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${this.table(this.trackingTable)} (application_name text PRIMARY KEY, notification_id bigint NOT NULL)`,
        );
        await this.createViewTables(client);
        await client.query('COMMIT');
      } else {
        const found = await client.query<{ found: string | null }>(
          'SELECT to_regclass($1)::text AS found',
          [this.table(this.trackingTable)],
        );
        if (found.rows[0]?.found == null) {
          throw new PersistenceError(
            `Table ${this.table(this.trackingTable)} does not exist and CREATE_TABLE is off: create the table or set CREATE_TABLE=yes`,
          );
        }
      }
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw translatePostgresError(error, context, false);
    } finally {
      client.release();
    }
  }
}

/**
 * Rolls back the transaction on `client` after `error` and releases the connection (destroying
 * it when the rollback failed too); resolves with the error to throw, translated.
 */
async function rolledBack(
  client: pg.PoolClient,
  error: unknown,
  context: string,
): Promise<unknown> {
  const ok = await client.query('ROLLBACK').then(
    () => true,
    () => false,
  );
  client.release(!ok);
  return translatePostgresError(error, context, false);
}

/** The deferred statements of one batch, queued on its connection (see `trackedStatement`). */
interface DeferredStatements {
  /** Per application, the first and last tracking ids of the statements not yet flushed. */
  readonly runs: Map<string, { first: bigint; last: bigint }>;
  /** Settle when the queued queries have; never reject (failures go to `error`). */
  readonly pending: Promise<void>[];
  error: unknown;
}

/**
 * Savepoints on one connection. A child whose work resolved although the transaction is aborted
 * (its work swallowed a server error) fails; with a driver that cannot tell the transaction's
 * status, each savepoint is released at once instead of with the next one.
 */
function savepointStatements(client: pg.PoolClient): SavepointStatements {
  return {
    succeeded: async (name) => {
      // A query that failed rejects before the server's ReadyForQuery (which carries the
      // transaction status) has been read: let the connection settle first.
      if ((client as { readyForQuery?: boolean }).readyForQuery === false) {
        await new Promise<void>((resolve) => client.once('drain', () => resolve()));
      }
      const status = (
        client as { getTransactionStatus?: () => string | null }
      ).getTransactionStatus?.();
      if (status === 'E') {
        throw new PersistenceError(
          'A server error inside the tracked transaction was caught and ignored, which aborted the transaction: let it propagate',
        );
      }
      if (status === undefined) {
        await client.query(`RELEASE SAVEPOINT ${name}`);
        return true;
      }
      return false;
    },
    savepoint: async (name, releasePrevious) => {
      await client.query(
        `${releasePrevious ? `RELEASE SAVEPOINT ${name}; ` : ''}SAVEPOINT ${name}`,
      );
    },
    rollbackTo: async (name) => {
      await client.query(`ROLLBACK TO SAVEPOINT ${name}`);
      await client.query(`RELEASE SAVEPOINT ${name}`);
    },
  };
}

/**
 * The notification channel of one tracking table: a fixed prefix and a hash of the qualified
 * name (channel names are identifiers, at most 63 bytes).
 */
function trackingChannel(schema: string, table: string): string {
  return `eventsourcing_tracking_${shortHash(`${schema}.${table}`)}`;
}

/** 24 hex digits of the SHA-256 of `text`: short enough for an identifier, unique in practice. */
function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}
