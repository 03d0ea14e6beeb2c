import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { IntegrityError, PersistenceError } from '../../../src/core/errors.js';
import type { Tracking } from '../../../src/core/tracking-recorder.js';
import { rejectionOf } from '../../../src/testing/contract/fixtures.js';
import { NamesView } from './names-view.js';
import { connectionString, useSchemasAndRecorders } from './support.js';

const { newSchema, track } = useSchemasAndRecorders();
const newView = (schema = newSchema()) => track(new NamesView({ connectionString, schema }));
const up = (notificationId: bigint): Tracking => ({ applicationName: 'up', notificationId });

describe('PostgresTrackingRecorder.trackedStatement', () => {
  it('outside a batch, commits the statement with its tracking record, or neither', async () => {
    const view = newView();
    await view.addStatement('a', up(1n));
    await expect(view.maxTrackingId('up')).resolves.toBe(1n);
    expect(await rejectionOf(view.addStatement('b', up(1n)))).toBeInstanceOf(IntegrityError);
    expect(await rejectionOf(view.addStatement('a', up(2n)))).toBeInstanceOf(IntegrityError);
    expect(await view.names()).toEqual(['a']);
    await expect(view.maxTrackingId('up')).resolves.toBe(1n);
  });

  it('in a batch, commits every statement and the last tracking id at once, then emits each record', async () => {
    const view = newView();
    const emitted = firstValueFrom(view.committed$.pipe(toArray()));
    let seenBeforeCommit: bigint | undefined = 99n;
    await view.batch(async () => {
      for (const id of [1n, 2n, 3n]) await view.addStatement(`n${id}`, up(id));
      seenBeforeCommit = await view.maxTrackingId('up');
    });
    expect(seenBeforeCommit).toBeUndefined();
    expect(await view.names()).toEqual(['n1', 'n2', 'n3']);
    await expect(view.maxTrackingId('up')).resolves.toBe(3n);
    await view.close();
    expect((await emitted).map((t) => t.notificationId)).toEqual([1n, 2n, 3n]);
  });

  it('in a batch, refuses an id not above the previous one of the batch at once, queuing nothing', async () => {
    const view = newView();
    await view.batch(async () => {
      await view.addStatement('a', up(5n));
      expect(await rejectionOf(view.addStatement('b', up(5n)))).toBeInstanceOf(IntegrityError);
      await view.addStatement('c', up(6n));
    });
    expect(await view.names()).toEqual(['a', 'c']);
    await expect(view.maxTrackingId('up')).resolves.toBe(6n);
  });

  it('fails the whole batch when one statement fails, even if the work goes on', async () => {
    const view = newView();
    await view.addStatement('a', up(1n));
    const error = await rejectionOf(
      view.batch(async () => {
        await view.addStatement('b', up(2n));
        await view.addStatement('a', up(3n)); // duplicate key: fails on the server, reported at commit
        await view.addStatement('c', up(4n));
      }),
    );
    expect(error).toBeInstanceOf(IntegrityError);
    expect(String(error)).toContain('up 3');
    expect(await view.names()).toEqual(['a']);
    await expect(view.maxTrackingId('up')).resolves.toBe(1n);
  });

  it('cannot commit a batch whose failed flush the work caught', async () => {
    const view = newView();
    await view.addStatement('a', up(1n));
    const error = await rejectionOf(
      view.batch(async () => {
        await view.addStatement('a', up(2n)); // fails at the next flush
        await rejectionOf(view.namesInside(up(3n))); // the flush before it fails; caught
      }),
    );
    expect(error).toBeInstanceOf(PersistenceError);
    // The batch remembers the failed flush: that failure is the cause, not a later symptom.
    expect((error as Error).cause).toBeInstanceOf(IntegrityError);
    expect(String((error as Error).cause)).toContain('up 2');
    expect(await view.names()).toEqual(['a']);
    await expect(view.maxTrackingId('up')).resolves.toBe(1n);
  });

  it('lets a later tracked transaction of the batch read the queued statements', async () => {
    const view = newView();
    let inside: string[] = [];
    await view.batch(async () => {
      await view.addStatement('a', up(1n));
      await view.addStatement('b', up(2n));
      inside = await view.namesInside(up(3n));
      await view.addStatement('c', up(4n));
    });
    expect(inside).toEqual(['a', 'b']);
    expect(await view.names()).toEqual(['a', 'b', 'c']);
    await expect(view.maxTrackingId('up')).resolves.toBe(4n);
  });

  it('rolls the batch back when another writer committed an id inside its range', async () => {
    const schema = newSchema();
    const view = newView(schema);
    const other = newView(schema);
    await view.ready();
    const error = await rejectionOf(
      view.batch(async () => {
        await view.addStatement('mine-3', up(3n));
        await other.addStatement('theirs-5', up(5n)); // commits while the batch is open
        await view.addStatement('mine-7', up(7n));
      }),
    );
    expect(error).toBeInstanceOf(IntegrityError);
    expect(await view.names()).toEqual(['theirs-5']);
    await expect(view.maxTrackingId('up')).resolves.toBe(5n);
  });

  it('applies each event once when two batches race over the same ids', async () => {
    const schema = newSchema();
    const [a, b] = [newView(schema), newView(schema)];
    await a.ready();
    const ids = [1n, 2n, 3n, 4n, 5n];
    const run = (view: NamesView, who: string) =>
      view.batch(async () => {
        for (const id of ids) await view.addStatement(`${who}-${id}`, up(id));
      });
    const outcomes = await Promise.allSettled([run(a, 'a'), run(b, 'b')]);
    const names = await a.names();
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(names).toHaveLength(ids.length);
    expect(new Set(names.map((n) => n.split('-')[0])).size).toBe(1);
    await expect(a.maxTrackingId('up')).resolves.toBe(5n);
  });
});
