import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PostgresTrackingRecorder } from '../../../src/adapters/postgres/index.js';
import { connectionString, useSchemasAndRecorders, withClient } from './support.js';

const { newSchema, track } = useSchemasAndRecorders();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Terminates the LISTEN connections of recorders with this `application_name`; returns how many. */
const terminateListeners = (applicationName: string) =>
  withClient(async (client) => {
    const result = await client.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE application_name = $1 AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`,
      [applicationName],
    );
    return result.rowCount;
  });

describe('PostgresTrackingRecorder LISTEN/NOTIFY', () => {
  it('listens again after its LISTEN connection is lost, and still wakes without polling', async () => {
    const schema = newSchema();
    const applicationName = `listen-test-${randomUUID()}`;
    const waiter = track(
      new PostgresTrackingRecorder({ connectionString, schema, application_name: applicationName }),
    );
    const writer = track(new PostgresTrackingRecorder({ connectionString, schema }));
    await writer.ready();

    const first = waiter.wait('up', 1n, { timeout: 10_000 });
    await sleep(200);
    await writer.insertTracking({ applicationName: 'up', notificationId: 1n });
    await first;

    expect(await terminateListeners(applicationName)).toBe(1);
    const second = waiter.wait('up', 2n, { timeout: 10_000 });
    await sleep(700); // past the first safety poll (500 ms); the next is at 1500 ms
    const committed = performance.now();
    await writer.insertTracking({ applicationName: 'up', notificationId: 2n });
    await second;
    expect(performance.now() - committed).toBeLessThan(250);
  });

  it('falls back to polling for a commit that was not announced', async () => {
    const schema = newSchema();
    const recorder = track(new PostgresTrackingRecorder({ connectionString, schema }));
    await recorder.ready();
    const waited = recorder.wait('up', 3n, { timeout: 10_000 });
    await sleep(100);
    await withClient((client) =>
      client.query(
        `INSERT INTO "${schema}".tracking (application_name, notification_id) VALUES ('up', 3)`,
      ),
    );
    const started = performance.now();
    await waited;
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('keeps recorders of different schemas on different channels', async () => {
    const waiter = track(new PostgresTrackingRecorder({ connectionString, schema: newSchema() }));
    const other = track(new PostgresTrackingRecorder({ connectionString, schema: newSchema() }));
    const waited = waiter.wait('up', 1n, { timeout: 400 });
    await sleep(100);
    await other.insertTracking({ applicationName: 'up', notificationId: 1n });
    await expect(waited).rejects.toThrow(/Timed out waiting for notification 1/);
  });
});
