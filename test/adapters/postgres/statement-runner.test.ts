/**
 * A `ProjectionRunner` over a PostgreSQL view that writes with `trackedStatement`: inside a batch
 * the statements run when the batch commits, so a failing one fails the commit, not its handler.
 * The runner then applies the batch's events one by one and stops exactly at the failing event.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Dog } from '../../../machines/dog.js';
import { ProjectionRunner } from '../../../src/application/projection-runner.js';
import { ProjectionError } from '../../../src/core/errors.js';
import { Projection } from '../../../src/runtime/projection/projection.js';
import { TrainingSchool } from '../../support/counters-view.js';
import { NamesView } from './names-view.js';
import { connectionString, useSchemasAndRecorders } from './support.js';

const { newSchema } = useSchemasAndRecorders();

/** Each registered dog's name, once (the names table's key refuses a second dog of a name). */
class DogNamesProjection extends Projection<NamesView> {
  static override topics = ['Dog.Registered'];

  constructor(view: NamesView) {
    super(view);
    this.on(Dog, { Registered: (event, tracking) => this.view.addStatement(event.name, tracking) });
  }
}

describe('ProjectionRunner with trackedStatement', () => {
  it('stops at the event whose statement fails the batch, keeping every event before it', async () => {
    await using school = new TrainingSchool();
    const ids: bigint[] = [];
    for (const name of ['a', 'b', 'c', 'b', 'd']) {
      const dog = await school.repository.create(Dog, randomUUID());
      ids.push((await dog.execute({ type: 'register', name })).at(-1)?.notification.id as bigint);
    }
    const runner = new ProjectionRunner({
      application: school,
      projection: DogNamesProjection,
      view: NamesView,
      env: {
        PERSISTENCE_MODULE: 'postgres',
        DATABASE_URL: connectionString,
        POSTGRES_SCHEMA: newSchema(),
      },
      progressLine: false,
    });
    const error = await runner
      .wait(await school.recorder.maxNotificationId(), { timeout: 10_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectionError);
    expect((error as ProjectionError).position).toBe(ids[3]);
    expect(await runner.projection.view.names()).toEqual(['a', 'b', 'c']);
    await expect(runner.projection.view.maxTrackingId(school.name)).resolves.toBe(ids[2]);
    await expect(runner[Symbol.asyncDispose]()).rejects.toThrow(ProjectionError);
  });
});
