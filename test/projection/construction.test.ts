/**
 * Building a ProjectionRunner when something can't be built: a view whose constructor (or
 * `fromEnvironment`) throws, or a projection whose constructor throws, is a `ConfigurationError`
 * naming it with the original error as the `cause`, and the runner closes what it had already
 * opened — the application it built (its KurrentDB connection), the view — leaving an
 * application passed in open. Malformed options are a `ProgrammingError` before anything opens.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApplicationOptions } from '../../src/application/application.js';
import { ProjectionRunner } from '../../src/application/projection-runner.js';
import {
  ConfigurationError,
  PersistenceError,
  ProgrammingError,
  WaitInterruptedError,
} from '../../src/core/errors.js';
import { rejectionOf } from '../../src/testing/contract/fixtures.js';
import {
  CountProjection,
  InMemoryCountersView,
  SQLiteCountersView,
  TrainingSchool,
} from '../support/counters-view.js';
import { useProjectionFixture } from '../support/projection-fixture.js';

const fixture = useProjectionFixture('projection-construction');

/** The training school, remembering every instance built (by the runner). */
class School extends TrainingSchool {
  static override applicationName = 'School';
  static readonly built: School[] = [];
  constructor(options?: ApplicationOptions) {
    super(options);
    School.built.push(this);
  }
}

/** A memory view whose constructor throws. */
class BrokenView extends InMemoryCountersView {
  constructor() {
    super();
    throw new Error('no room for the counters');
  }
}

/** A memory view that remembers its instances, for a projection that throws. */
class RememberedView extends InMemoryCountersView {
  static readonly built: RememberedView[] = [];
  constructor() {
    super();
    RememberedView.built.push(this);
  }
}

/** A projection whose constructor throws. */
class BrokenProjection extends CountProjection {
  constructor(view: InMemoryCountersView) {
    super(view);
    throw new TypeError('topics missing');
  }
}

/** The env of a school on the fixture's KurrentDB, with the view in `viewModule`. */
const envOf = (viewModule: string, more: Record<string, string> = {}) => ({
  SCHOOL_PERSISTENCE_MODULE: 'kurrentdb',
  KURRENTDB_URI: fixture.server.uri,
  PERSISTENCE_MODULE: viewModule,
  ...more,
});

/** What `build` throws; fails when it throws nothing. */
function thrownBy(build: () => unknown): unknown {
  try {
    build();
  } catch (error) {
    return error;
  }
  throw new Error('Expected a throw');
}

/** Resolves once the school's KurrentDB connection is closed (reads then fail at once). */
async function closedSoon(school: School): Promise<void> {
  await vi.waitFor(
    async () => {
      const error = await rejectionOf(school.recorder.maxNotificationId());
      expect((error as Error).message).toMatch(/is closed/);
    },
    { timeout: 5_000, interval: 20 },
  );
}

/**
 * What building a runner of a `School` (which the runner builds) with the SQLite counters view
 * throws, with `settings` added to the env: a `ConfigurationError`, once the school is closed.
 */
async function sqlViewFailure(settings: Record<string, string> = {}): Promise<Error> {
  const error = thrownBy(
    () =>
      new ProjectionRunner({
        application: School,
        projection: CountProjection,
        view: SQLiteCountersView,
        env: envOf('sqlite', settings),
        progressLine: false,
      }),
  );
  expect(error).toBeInstanceOf(ConfigurationError);
  await closedSoon(School.built[0] as School);
  return error as Error;
}

describe('ProjectionRunner construction failures', () => {
  afterEach(async () => {
    School.built.splice(0);
    RememberedView.built.splice(0);
    vi.restoreAllMocks();
  });

  it('a view constructor that throws: ConfigurationError naming the view, application closed', async () => {
    const close = vi.spyOn(TrainingSchool.prototype, 'close');
    const error = thrownBy(
      () =>
        new ProjectionRunner({
          application: School,
          projection: CountProjection,
          view: BrokenView,
          env: envOf('memory'),
          progressLine: false,
        }),
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/View 'BrokenView'.*no room for the counters/);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(((error as Error).cause as Error).message).toBe('no room for the counters');
    const [school] = School.built;
    expect(School.built).toHaveLength(1);
    expect(close).toHaveBeenCalledTimes(1);
    await closedSoon(school as School);
  });

  it('a SQL view whose fromEnvironment fails: ConfigurationError with the PersistenceError as cause, application closed', async () => {
    const missingFolder = join(fixture.sqliteFile(), 'no-such-folder', 'view.db');
    const error = await sqlViewFailure({ SQLITE_DBNAME: missingFolder });
    expect(error.message).toMatch(/View 'SQLiteCountersView' \(persistence module 'sqlite'\)/);
    expect(error.cause).toBeInstanceOf(PersistenceError);
  });

  it('a setting missing for the view: its ConfigurationError as it is, application closed', async () => {
    const error = await sqlViewFailure();
    expect(error.message).toMatch(/SQLITE_DBNAME/);
  });

  it('a projection constructor that throws: ConfigurationError naming it, view and application closed', async () => {
    const error = thrownBy(
      () =>
        new ProjectionRunner({
          application: School,
          projection: BrokenProjection,
          view: RememberedView,
          env: envOf('memory'),
          progressLine: false,
        }),
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/Projection 'BrokenProjection'.*topics missing/);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    const [view] = RememberedView.built;
    // A closed memory view interrupts waits at once.
    expect(await rejectionOf((view as RememberedView).wait('School', 1n))).toBeInstanceOf(
      WaitInterruptedError,
    );
    await closedSoon(School.built[0] as School);
  });

  it('a SQL view class without fromEnvironment, or one building no tracking recorder: ConfigurationError', async () => {
    class NoFactory {
      static persistenceModule = 'sqlite';
      count = 0;
    }
    class NotAView {
      static persistenceModule = 'sqlite';
      count = 0;
      static fromEnvironment() {
        return { count: 0 };
      }
    }
    for (const [view, message] of [
      [NoFactory, /View class 'NoFactory' is a sqlite view without a static fromEnvironment/],
      [NotAView, /View 'NotAView' .*built an object, not a tracking recorder/],
    ] as const) {
      const error = thrownBy(
        () =>
          new ProjectionRunner({
            application: School,
            projection: CountProjection,
            view: view as unknown as typeof InMemoryCountersView,
            env: envOf('sqlite'),
            progressLine: false,
          }),
      );
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toMatch(message);
    }
    expect(School.built).toHaveLength(2);
    for (const school of School.built) await closedSoon(school);
  });

  it('leaves an application passed in open', async () => {
    const school = new School({ env: envOf('memory') });
    try {
      expect(
        () =>
          new ProjectionRunner({
            application: school,
            projection: CountProjection,
            view: BrokenView,
            progressLine: false,
          }),
      ).toThrow(ConfigurationError);
      await expect(school.recorder.maxNotificationId()).resolves.toBeTypeOf('bigint');
    } finally {
      await school.close();
    }
  });

  it('rejects malformed options with ProgrammingError before building anything', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ batchSize: 0 }, /batchSize.*a number \(0\)/],
      [{ batchSize: 2.5 }, /batchSize.*2\.5/],
      [{ highWaterMark: 10, batchSize: 50 }, /highWaterMark.*a number \(10\).*batchSize \(50\)/],
      [{ batchDeadlineMs: Number.NaN }, /batchDeadlineMs.*NaN/],
      [{ batchDeadlineMs: -1 }, /batchDeadlineMs.*-1/],
      [{ retry: { initialDelayMs: '100' } }, /retry\.initialDelayMs.*"100"/],
      [{ retry: { maxDelayMs: Number.NaN } }, /retry\.maxDelayMs.*NaN/],
      [{ projection: undefined }, /projection.*undefined/],
      [{ application: 'School' }, /application.*"School"/],
    ];
    for (const [options, message] of cases) {
      const build = () =>
        new ProjectionRunner({
          application: School,
          projection: CountProjection,
          view: InMemoryCountersView,
          env: envOf('memory'),
          start: false,
          ...options,
        } as never);
      expect(build, JSON.stringify(options)).toThrow(ProgrammingError);
      expect(build).toThrow(message);
    }
    expect(School.built).toHaveLength(0);
  });
});

describe('ProjectionRunner.wait arguments', () => {
  const runnerOf = (school: TrainingSchool) =>
    new ProjectionRunner({
      application: school,
      projection: CountProjection,
      view: InMemoryCountersView,
      progressLine: false,
    });

  it('rejects a NaN, negative or non-number timeout and a non-bigint id with ProgrammingError', async () => {
    const school = new TrainingSchool();
    await using runner = runnerOf(school);
    const wait = runner.wait.bind(runner) as (...args: unknown[]) => Promise<void>;
    for (const [args, message] of [
      [[1n, { timeout: Number.NaN }], /timeout.*NaN/],
      [[1n, { timeout: -1 }], /timeout.*-1/],
      [[1n, { timeout: '5' }], /timeout.*"5"/],
      [[1, {}], /notification id.*a number \(1\)/],
      [['1'], /notification id.*"1"/],
    ] as const) {
      const error = await rejectionOf(wait(...args));
      expect(error).toBeInstanceOf(ProgrammingError);
      expect((error as Error).message).toMatch(message);
    }
    await school.close();
  });

  it('waits without a time limit for Infinity, and honours 2^31 ms and more', async () => {
    const school = new TrainingSchool();
    await using runner = runnerOf(school);
    const forever = runner.wait(1n, { timeout: Number.POSITIVE_INFINITY });
    const long = runner.wait(2n, { timeout: 2 ** 31 + 5 });
    const stopped = runner.wait(3n, { timeout: 2 ** 31 + 5 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await school.register(`a-${randomUUID()}`);
    await expect(forever).resolves.toBeUndefined();
    await school.register(`b-${randomUUID()}`);
    await expect(long).resolves.toBeUndefined();
    await runner.stop();
    expect(await rejectionOf(stopped)).toBeInstanceOf(WaitInterruptedError);
    await school.close();
  });
});
