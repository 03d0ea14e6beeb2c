import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { PostgresTrackingRecorderOptions } from '../../../src/adapters/postgres/index.js';
import { IntegrityError, PersistenceError } from '../../../src/core/errors.js';
import type { Tracking } from '../../../src/core/tracking-recorder.js';
import { rejectionOf } from '../../../src/testing/contract/fixtures.js';
import { NamesView } from './names-view.js';
import { connectionString, useSchemasAndRecorders } from './support.js';

const { newSchema, track } = useSchemasAndRecorders();
const newView = (options: Partial<PostgresTrackingRecorderOptions> = {}) =>
  track(new NamesView({ connectionString, schema: newSchema(), ...options }));
const up = (notificationId: bigint): Tracking => ({ applicationName: 'up', notificationId });

describe('PostgresTrackingRecorder.trackedTransaction', () => {
  it('commits the view writes with the tracking record and returns what the callback returns', async () => {
    const view = newView();
    await expect(
      view.run(up(1n), async (client) => {
        await view.add('a')(client);
        return 'done';
      }),
    ).resolves.toBe('done');
    expect(await view.names()).toEqual(['a']);
    await expect(view.maxTrackingId('up')).resolves.toBe(1n);
  });

  it('applies nothing when the callback throws after writing, and rethrows that very error', async () => {
    const view = newView();
    await view.run(up(1n), view.add('a'));
    const crash = new Error('view crashed');
    const error = await rejectionOf(
      view.run(up(2n), async (client) => {
        await view.add('b')(client);
        throw crash;
      }),
    );
    expect(error).toBe(crash);
    expect(await view.names()).toEqual(['a']);
    await expect(view.maxTrackingId('up')).resolves.toBe(1n);
    await view.run(up(2n), view.add('b')); // the same id is still free
    expect(await view.names()).toEqual(['a', 'b']);
  });

  it('does not run the callback for a rejected tracking id', async () => {
    const view = newView();
    await view.run(up(5n), view.add('a'));
    let ran = false;
    const error = await rejectionOf(
      view.run(up(4n), async () => {
        ran = true;
      }),
    );
    expect(error).toBeInstanceOf(IntegrityError);
    expect((error as Error).message).toBe('Failed to record tracking for up 4');
    expect(ran).toBe(false);
  });

  it('translates server errors of the view writes, keeping the driver error as cause', async () => {
    const view = newView();
    await view.run(up(1n), view.add('a'));
    const duplicate = await rejectionOf(view.run(up(2n), view.add('a')));
    expect(duplicate).toBeInstanceOf(IntegrityError);
    expect((duplicate as Error).cause).toBeInstanceOf(pg.DatabaseError);
    expect(((duplicate as Error).cause as pg.DatabaseError).code).toBe('23505');
    const syntax = await rejectionOf(
      view.run(up(2n), async (client) => {
        await client.query('INSERT INTO nowhere VALUES (1)');
      }),
    );
    expect(syntax).toBeInstanceOf(PersistenceError);
    expect(syntax).not.toBeInstanceOf(IntegrityError);
    expect((syntax as Error).message).toContain('SQLSTATE 42P01');
    await expect(view.maxTrackingId('up')).resolves.toBe(1n);
    expect(await view.names()).toEqual(['a']);
  });

  it('returns every connection to the pool after failed transactions', async () => {
    const view = newView({ max: 2, connectionTimeoutMillis: 3000 });
    await view.run(up(10n), view.add('a'));
    for (let i = 0; i < 6; i++) {
      await expect(view.run(up(10n), view.add('x'))).rejects.toBeInstanceOf(IntegrityError);
      await expect(
        view.run(up(11n), async () => {
          throw new Error('crash');
        }),
      ).rejects.toThrow('crash');
    }
    await view.run(up(11n), view.add('b')); // would time out waiting for a leaked connection
    expect(await view.names()).toEqual(['a', 'b']);
  });
});
