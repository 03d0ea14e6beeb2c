import { describe, expect, it } from 'vitest';
import {
  type PostgresClient,
  PostgresTrackingRecorder,
  type PostgresTrackingRecorderOptions,
} from '../../../src/adapters/postgres/index.js';
import { IntegrityError, PersistenceError } from '../../../src/core/errors.js';
import type { Tracking } from '../../../src/core/tracking-recorder.js';
import { rejectionOf } from '../../../src/testing/contract/fixtures.js';
import { NamesView } from './names-view.js';
import { connectionString, useSchemasAndRecorders } from './support.js';

const { newSchema, track } = useSchemasAndRecorders();
const newView = (options: Partial<PostgresTrackingRecorderOptions> = {}) =>
  track(new NamesView({ connectionString, schema: newSchema(), ...options }));
const up = (notificationId: bigint): Tracking => ({ applicationName: 'up', notificationId });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const transactionId = async (client: PostgresClient): Promise<string> => {
  const result = await client.query<{ id: string }>('SELECT txid_current()::text AS id');
  return result.rows[0]?.id ?? '';
};

describe('PostgresTrackingRecorder.batch', () => {
  it('runs every tracked transaction of the batch in one database transaction', async () => {
    const view = newView();
    const inside: string[] = [];
    await view.batch(async () => {
      for (const id of [1n, 2n, 3n]) {
        await view.run(up(id), async (client) => {
          await view.add(`n${id}`)(client);
          inside.push(await transactionId(client));
        });
      }
    });
    const after = await view.run(up(4n), transactionId);
    expect(new Set(inside).size).toBe(1);
    expect(after).not.toBe(inside[0]);
    expect(await view.names()).toEqual(['n1', 'n2', 'n3']);
  });

  it('rolls back only the savepoint of a server error the work catches, then commits', async () => {
    const view = newView();
    await view.batch(async () => {
      await view.run(up(1n), view.add('a'));
      const duplicate = await rejectionOf(view.run(up(2n), view.add('a')));
      expect(duplicate).toBeInstanceOf(IntegrityError);
      await view.run(up(2n), view.add('b')); // the transaction is usable again
    });
    expect(await view.names()).toEqual(['a', 'b']);
    await expect(view.maxTrackingId('up')).resolves.toBe(2n);
  });

  it('fails a tracked transaction whose write swallowed a server error, not the batch', async () => {
    const view = newView();
    await view.batch(async () => {
      await view.run(up(1n), view.add('a'));
      const swallowed = await rejectionOf(
        view.run(up(2n), async (client) => {
          await view.add('lost')(client);
          await client.query('SELECT 1/0').catch(() => undefined); // aborts the transaction
        }),
      );
      expect(swallowed).toBeInstanceOf(PersistenceError);
      expect((swallowed as Error).message).toContain('caught and ignored');
      await view.run(up(2n), view.add('b'));
    });
    expect(await view.names()).toEqual(['a', 'b']);
    await expect(view.maxTrackingId('up')).resolves.toBe(2n);
  });

  it('nests a tracked transaction started inside a write as a savepoint of the batch', async () => {
    const view = newView();
    const seen: bigint[] = [];
    view.committed$.subscribe((t) => seen.push(t.notificationId));
    await view.batch(async () => {
      await view.run(up(1n), async (client) => {
        await view.add('a')(client);
        await view.run(up(2n), view.add('b'));
        const failed = await rejectionOf(view.run(up(3n), view.add('a')));
        expect(failed).toBeInstanceOf(IntegrityError);
      });
    });
    expect(await view.names()).toEqual(['a', 'b']);
    await expect(view.maxTrackingId('up')).resolves.toBe(2n);
    expect(seen).toEqual([1n, 2n]);
  });

  it('wakes a wait on another recorder by its NOTIFY only once the batch commits', async () => {
    const schema = newSchema();
    const view = track(new NamesView({ connectionString, schema }));
    const waiter = track(new PostgresTrackingRecorder({ connectionString, schema }));
    await view.ready();
    let resolvedAt = 0;
    const waited = waiter.wait('up', 2n, { timeout: 10_000 }).then(() => {
      resolvedAt = performance.now();
    });
    await sleep(100); // the waiter listens
    await view.batch(async () => {
      await view.run(up(1n), view.add('a'));
      await view.run(up(2n), view.add('b'));
      await sleep(200);
      expect(resolvedAt).toBe(0);
    });
    const committedAt = performance.now();
    await waited;
    expect(resolvedAt - committedAt).toBeLessThan(250);
  });

  it('returns its connection to the pool after failed batches', async () => {
    const view = newView({ max: 2, connectionTimeoutMillis: 3000 });
    await view.run(up(10n), view.add('a'));
    for (let i = 0; i < 4; i++) {
      await expect(
        view.batch(async () => {
          await view.run(up(10n), view.add('x'));
        }),
      ).rejects.toBeInstanceOf(IntegrityError);
      await expect(
        view.batch(async () => {
          await view.run(up(11n), view.add('y'));
          throw new Error('crash');
        }),
      ).rejects.toThrow('crash');
    }
    await view.batch(async () => {
      await view.run(up(11n), view.add('b')); // would time out waiting for a leaked connection
    });
    expect(await view.names()).toEqual(['a', 'b']);
  });

  it('fails with PersistenceError when the database is unreachable, without running the work', async () => {
    const view = track(
      new NamesView({
        connectionString: 'postgres://nobody:nothing@127.0.0.1:1/none',
        connectionTimeoutMillis: 500,
      }),
    );
    let ran = false;
    const error = await rejectionOf(
      view.batch(async () => {
        ran = true;
      }),
    );
    expect(error).toBeInstanceOf(PersistenceError);
    expect(ran).toBe(false);
  });
});
