import { describe, expect, it } from 'vitest';
import {
  PostgresTrackingRecorder,
  postgresTrackingOptionsFromEnvironment,
} from '../../../src/adapters/postgres/index.js';
import { Environment } from '../../../src/core/environment.js';
import { ConfigurationError } from '../../../src/core/errors.js';
import { rejectionOf } from '../../../src/testing/contract/fixtures.js';
import { connectionString, schemaExists, useSchemasAndRecorders } from './support.js';

const options = (values: Record<string, string>) =>
  postgresTrackingOptionsFromEnvironment(new Environment('view', values));

const connectionKeys = {
  POSTGRES_DBNAME: 'views',
  POSTGRES_HOST: 'db.example',
  POSTGRES_USER: 'projector',
  POSTGRES_PASSWORD: 'secret',
};

describe('postgresTrackingOptionsFromEnvironment', () => {
  it('without DATABASE_URL, names every missing connection key and the alternative', () => {
    let error: unknown;
    try {
      options({});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(
      "Missing settings in environment: 'POSTGRES_DBNAME' (looked up as 'VIEW_POSTGRES_DBNAME, POSTGRES_DBNAME'), " +
        "'POSTGRES_HOST' (looked up as 'VIEW_POSTGRES_HOST, POSTGRES_HOST'), " +
        "'POSTGRES_USER' (looked up as 'VIEW_POSTGRES_USER, POSTGRES_USER'), " +
        "'POSTGRES_PASSWORD' (looked up as 'VIEW_POSTGRES_PASSWORD, POSTGRES_PASSWORD'); " +
        "or set 'VIEW_DATABASE_URL, DATABASE_URL'",
    );
  });

  it('names only the keys that are missing', () => {
    const { POSTGRES_PASSWORD: _, ...withoutPassword } = connectionKeys;
    expect(() => options(withoutPassword)).toThrow(
      /^Missing setting in environment: 'POSTGRES_PASSWORD' \(looked up as 'VIEW_POSTGRES_PASSWORD, POSTGRES_PASSWORD'\); or set/,
    );
  });

  it('reads the connection keys with their defaults', () => {
    expect(options(connectionKeys)).toEqual({
      database: 'views',
      host: 'db.example',
      user: 'projector',
      password: 'secret',
      port: 5432,
      schema: 'public',
      createTable: true,
      max: 5,
      connectionTimeoutMillis: 30_000,
    });
  });

  it('prefers DATABASE_URL and still reads the schema, pool and timeout keys', () => {
    expect(
      options({
        VIEW_DATABASE_URL: 'postgres://u:p@h/d',
        POSTGRES_SCHEMA: 'views',
        VIEW_POSTGRES_POOL_SIZE: '3',
        POSTGRES_CONNECT_TIMEOUT: '2.5',
        CREATE_TABLE: 'off',
      }),
    ).toEqual({
      connectionString: 'postgres://u:p@h/d',
      schema: 'views',
      createTable: false,
      max: 3,
      connectionTimeoutMillis: 2500,
    });
  });

  it('rejects malformed numbers and flags, naming the keys', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ POSTGRES_PORT: 'http' }, /'VIEW_POSTGRES_PORT, POSTGRES_PORT'/],
      [{ POSTGRES_PORT: '54.32' }, /expected a whole number/],
      [{ POSTGRES_POOL_SIZE: '0' }, /'VIEW_POSTGRES_POOL_SIZE, POSTGRES_POOL_SIZE'/],
      [{ POSTGRES_CONNECT_TIMEOUT: 'soon' }, /POSTGRES_CONNECT_TIMEOUT/],
      [{ CREATE_TABLE: 'perhaps' }, /'VIEW_CREATE_TABLE, CREATE_TABLE'/],
    ];
    for (const [values, message] of cases) {
      expect(() => options({ ...connectionKeys, ...values }), JSON.stringify(values)).toThrow(
        message,
      );
      expect(() => options({ ...connectionKeys, ...values })).toThrow(ConfigurationError);
    }
  });
});

describe('PostgresTrackingRecorder.fromEnvironment', () => {
  const { newSchema, track } = useSchemasAndRecorders();

  it('connects with DATABASE_URL and creates the schema of POSTGRES_SCHEMA', async () => {
    const schema = newSchema();
    const env = new Environment('view', {
      DATABASE_URL: connectionString,
      VIEW_POSTGRES_SCHEMA: schema,
    });
    const recorder = track(PostgresTrackingRecorder.fromEnvironment(env));
    expect(await schemaExists(schema)).toBe(false); // nothing happens before first use
    await recorder.insertTracking({ applicationName: 'up', notificationId: 2n });
    expect(await schemaExists(schema)).toBe(true);
    await expect(recorder.maxTrackingId('up')).resolves.toBe(2n);
  });

  it('connects with the POSTGRES_* keys', async () => {
    const url = new URL(connectionString);
    const env = new Environment('view', {
      POSTGRES_DBNAME: url.pathname.slice(1),
      POSTGRES_HOST: url.hostname,
      POSTGRES_PORT: url.port === '' ? '5432' : url.port,
      POSTGRES_USER: decodeURIComponent(url.username),
      POSTGRES_PASSWORD: decodeURIComponent(url.password),
      POSTGRES_SCHEMA: newSchema(),
    });
    const recorder = track(PostgresTrackingRecorder.fromEnvironment(env));
    await recorder.insertTracking({ applicationName: 'up', notificationId: 1n });
    await expect(recorder.hasTrackingId('up', 1n)).resolves.toBe(true);
  });

  it('fails with ConfigurationError, connecting nowhere, when keys are missing', async () => {
    const error = await rejectionOf(
      (async () => PostgresTrackingRecorder.fromEnvironment(new Environment('view', {})))(),
    );
    expect(error).toBeInstanceOf(ConfigurationError);
  });
});
