import { describe, expect, it } from 'vitest';
import { PostgresTrackingRecorder } from '../../../src/adapters/postgres/index.js';
import { Environment } from '../../../src/core/environment.js';
import { OperationalError, PersistenceError } from '../../../src/core/errors.js';
import { rejectionOf } from '../../../src/testing/contract/fixtures.js';
import {
  connectionString,
  relation,
  schemaExists,
  useSchemasAndRecorders,
  withClient,
} from './support.js';

const { newSchema, track } = useSchemasAndRecorders();

describe('PostgresTrackingRecorder tables', () => {
  it('creates a missing schema and the tracking table in it, under the name asked for', async () => {
    const schema = newSchema();
    expect(await schemaExists(schema)).toBe(false);
    await track(new PostgresTrackingRecorder({ connectionString, schema })).ready();
    await track(
      new PostgresTrackingRecorder({ connectionString, schema, tableName: 'view_tracking' }),
    ).ready();
    expect(await schemaExists(schema)).toBe(true);
    expect(await relation(`"${schema}".tracking`)).toBe(`${schema}.tracking`);
    expect(await relation(`"${schema}".view_tracking`)).toBe(`${schema}.view_tracking`);
  });

  it('with CREATE_TABLE=no and no table, fails with a PersistenceError that says what to do', async () => {
    const schema = newSchema();
    const env = new Environment('view', {
      DATABASE_URL: connectionString,
      POSTGRES_SCHEMA: schema,
      CREATE_TABLE: 'no',
    });
    const recorder = track(PostgresTrackingRecorder.fromEnvironment(env));
    const error = await rejectionOf(recorder.maxTrackingId('up'));
    expect(error).toBeInstanceOf(PersistenceError);
    expect((error as Error).message).toBe(
      `Table "${schema}"."tracking" does not exist and CREATE_TABLE is off: create the table or set CREATE_TABLE=yes`,
    );
    expect(await schemaExists(schema)).toBe(false);
    // Still failing on the next call (not remembered as set up).
    await expect(
      recorder.insertTracking({ applicationName: 'up', notificationId: 1n }),
    ).rejects.toThrow(/does not exist and CREATE_TABLE is off/);
  });

  it('with CREATE_TABLE=no, uses a table that exists', async () => {
    const schema = newSchema();
    await track(new PostgresTrackingRecorder({ connectionString, schema })).insertTracking({
      applicationName: 'up',
      notificationId: 7n,
    });
    const recorder = track(
      new PostgresTrackingRecorder({ connectionString, schema, createTable: false }),
    );
    await expect(recorder.maxTrackingId('up')).resolves.toBe(7n);
    await recorder.insertTracking({ applicationName: 'up', notificationId: 8n });
    await expect(recorder.maxTrackingId('up')).resolves.toBe(8n);
  });

  it('sets up one new schema from many recorders at once', async () => {
    const schema = newSchema();
    const recorders = Array.from({ length: 6 }, () =>
      track(new PostgresTrackingRecorder({ connectionString, schema })),
    );
    await Promise.all(recorders.map((r) => r.ready()));
    await Promise.all(
      recorders.map((r, i) => r.insertTracking({ applicationName: `up-${i}`, notificationId: 1n })),
    );
    const rows = await withClient((client) =>
      client.query(`SELECT count(*)::int AS n FROM "${schema}".tracking`),
    );
    expect(rows.rows[0]?.n).toBe(6);
  });

  it('stores ids as bigint: exact above 2^53, visible as such to plain SQL', async () => {
    const schema = newSchema();
    const recorder = track(new PostgresTrackingRecorder({ connectionString, schema }));
    const big = 2n ** 62n + 5n;
    await recorder.insertTracking({ applicationName: 'up', notificationId: big });
    const rows = await withClient((client) =>
      client.query(
        `SELECT notification_id::text AS id, pg_typeof(notification_id)::text AS type FROM "${schema}".tracking`,
      ),
    );
    expect(rows.rows[0]).toEqual({ id: big.toString(), type: 'bigint' });
  });

  it('reports an unreachable server as an OperationalError with the driver error as cause', async () => {
    const recorder = track(
      new PostgresTrackingRecorder({
        connectionString: 'postgres://nobody:nothing@127.0.0.1:1/none',
        connectionTimeoutMillis: 2000,
      }),
    );
    const error = await rejectionOf(recorder.maxTrackingId('up'));
    expect(error).toBeInstanceOf(OperationalError);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(((error as Error).cause as { code?: string }).code).toBe('ECONNREFUSED');
  });
});
