/**
 * The main demo (`npm start`): the "Getting started" training school on KurrentDB. With
 * `KURRENTDB_URI` unset it starts the in-process KurrentDB test server (and says so); with it set
 * it uses that server. Shows aggregate actors deciding and persisting, a live subscription seen
 * through RxJS, a rejected command, optimistic concurrency between two applications, and a past
 * version.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { firstValueFrom, map, take, toArray } from 'rxjs';
import { Dog } from '../../machines/dog.js';
import { maskUri } from '../adapters/kurrentdb/connection-uri.js';
import { ProjectionRunner } from '../application/projection-runner.js';
import type { EnvironmentValues } from '../core/environment.js';
import { CommandRejectedError } from '../core/errors.js';
import { startKurrentDBTestServer } from '../testing/test-server/start-test-server.js';
import { CountProjection, InMemoryCountersView } from './counters-view.js';
import { dogId, TrainingSchool } from './training-school.js';

const decoder = new TextDecoder();

/** Runs the demo, writing what happens line by line to `print`. */
export async function runDemo(
  print: (line: string) => void = console.log,
  env: EnvironmentValues = process.env,
): Promise<void> {
  const given = env.KURRENTDB_URI;
  const server = given === undefined || given === '' ? await startKurrentDBTestServer() : undefined;
  const uri = server?.uri ?? (given as string);
  print(
    server === undefined
      ? `Using KurrentDB at ${maskUri(uri)} (from KURRENTDB_URI)`
      : `KURRENTDB_URI is not set: started the in-process KurrentDB test server at ${uri}`,
  );
  const settings = { TRAININGSCHOOL_PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: uri };
  const school = new TrainingSchool({ env: settings });
  const other = new TrainingSchool({ env: settings });
  school.run = other.run = randomUUID().slice(0, 8);
  // A live materialised view: counts of dogs and tricks, projected from KurrentDB's $all.
  const runner = new ProjectionRunner({
    application: school,
    projection: CountProjection,
    view: InMemoryCountersView,
    env: { COUNTPROJECTION_PERSISTENCE_MODULE: 'memory' },
    start: false,
  });
  const view = runner.projection.view as InMemoryCountersView;
  const counts = async () =>
    `${await view.getDogCounter()} dogs, ${await view.getTrickCounter()} tricks`;
  try {
    // Count from now on: the view starts at the server's current head (on a server that has seen
    // other runs it would otherwise catch up from the beginning).
    const head = await school.recorder.maxNotificationId();
    if (head > 0n)
      await view.insertTracking({ applicationName: school.name, notificationId: head });
    runner.start();
    const before = await counts();
    const start = await school.recorder.maxNotificationId();
    const live = firstValueFrom(
      school.recorder
        .subscribe({ gt: start, topics: ['Dog.Registered', 'Dog.TrickAdded'] })
        .asObservable()
        .pipe(
          map((n) => `  ${n.id}: ${n.topic} ${decoder.decode(n.state)} (${n.originatorId})`),
          take(4),
          toArray(),
        ),
    );

    await school.register('Fido');
    await school.addTrick('Fido', 'roll over');
    await school.addTrick('Fido', 'play dead');
    print(`Fido: ${JSON.stringify(await school.getDogDetails('Fido'))}`);

    try {
      await school.register('Fido');
    } catch (error) {
      print(`Registering Fido again: ${(error as Error).name}`);
    }
    const fido = await school.repository.get(Dog, dogId('Fido', school.run));
    try {
      await fido.execute({ type: 'register', name: 'Fido' });
    } catch (error) {
      if (!(error instanceof CommandRejectedError)) throw error;
      print(`Rejected: ${error.message}`);
    }

    // A second application instance adds a trick; the first one's cached actor is stale, so its
    // next command conflicts, fast-forwards, and is decided again.
    await other.addTrick('Fido', 'sit');
    await fido.execute({ type: 'addTrick', trick: 'stay' });
    print(`After two writers: ${JSON.stringify(await school.getDogDetails('Fido'))}`);

    const past = await school.repository.get(Dog, dogId('Fido', school.run), { version: 1 });
    print(`Fido at version 1: ${JSON.stringify(past.getSnapshot().context.tricks)}`);

    print('The subscription saw, live:');
    for (const line of await live) print(line);

    try {
      await runner.wait(await school.recorder.maxNotificationId(), { timeout: 10_000 });
      const state = String(runner.lifecycle.getSnapshot().value);
      print(`Count projection (${state}): ${before} before, ${await counts()} now`);
    } catch (error) {
      print(`Projection failed: ${(error as Error).message}`);
    }
  } finally {
    await runner[Symbol.asyncDispose]().catch(() => undefined); // a failure was printed above
    await Promise.all([school.close(), other.close()]);
    await server?.stop();
  }
  print('Done.');
}
