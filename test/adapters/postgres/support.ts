/**
 * Helpers of the PostgreSQL adapter tests: a schema of each file's own (dropped after the file),
 * recorders closed after each test, and a plain client for looking behind the recorder's back.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, inject } from 'vitest';

export const connectionString = inject('databaseUrl');

/** Runs `fn` with a plain client of its own (not the recorder's pool). */
export async function withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Registers hooks that drop every schema made by the returned function after the file, and
 * close every recorder passed to `track` after each test.
 */
export function useSchemasAndRecorders() {
  const schemas: string[] = [];
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await withClient(async (client) => {
      for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    });
  });
  return {
    /** A new schema name (not created). */
    newSchema(): string {
      const schema = `test_${randomUUID().replaceAll('-', '')}`;
      schemas.push(schema);
      return schema;
    },
    /** Closes `recorder` after the test. */
    track<T extends { close(): Promise<void> }>(recorder: T): T {
      open.push(recorder);
      return recorder;
    },
  };
}

/** The relation's qualified name when it exists, `null` otherwise. */
export const relation = (name: string): Promise<string | null> =>
  withClient(async (client) => {
    const result = await client.query<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [
      name,
    ]);
    return result.rows[0]?.r ?? null;
  });

/** True when the schema exists. */
export const schemaExists = (schema: string): Promise<boolean> =>
  withClient(async (client) => {
    const result = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    return result.rowCount === 1;
  });
