/**
 * The main demo (`npm start`): an embedded KurrentDB test server, the KurrentDB persistence
 * module chosen from the environment, a live subscription seen through RxJS, optimistic
 * concurrency, and reading an aggregate's history back. Needs no server to install.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { firstValueFrom, map, take, toArray } from 'rxjs';
import { createPersistence } from '../application/persistence.js';
import { isIntegrityError } from '../core/errors.js';
import type { StoredEvent } from '../core/stored-event.js';
import { startKurrentDBTestServer } from '../testing/test-server/start-test-server.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Runs the demo, writing what happens line by line to `print`. */
export async function runDemo(print: (line: string) => void = console.log): Promise<void> {
  const server = await startKurrentDBTestServer();
  print(`KurrentDB test server listening: ${server.uri}`);
  const persistence = createPersistence({
    name: 'dogschool',
    env: { PERSISTENCE_MODULE: 'kurrentdb', DOGSCHOOL_KURRENTDB_URI: server.uri },
  });
  const recorder = persistence.applicationRecorder;
  try {
    const dog = `dog-${randomUUID()}`;
    const event = (version: number, topic: string, data: object): StoredEvent => ({
      originatorId: dog,
      originatorVersion: version,
      topic,
      state: encoder.encode(JSON.stringify(data)),
      metadata: { userId: 'demo' },
      eventId: randomUUID(),
    });

    const start = await recorder.maxNotificationId();
    const live = firstValueFrom(
      recorder
        .subscribe({ gt: start, topics: ['DogSchool.Registered', 'DogSchool.TrickAdded'] })
        .asObservable()
        .pipe(
          map((n) => `  notification ${n.id}: ${n.topic} ${decoder.decode(n.state)}`),
          take(3),
          toArray(),
        ),
    );

    await recorder.insertEvents([event(0, 'DogSchool.Registered', { name: 'Fido' })]);
    await recorder.insertEvents([
      event(1, 'DogSchool.TrickAdded', { trick: 'roll over' }),
      event(2, 'DogSchool.TrickAdded', { trick: 'play dead' }),
    ]);
    print(`Wrote 3 events to stream ${dog}`);

    try {
      await recorder.insertEvents([event(1, 'DogSchool.TrickAdded', { trick: 'sit' })]);
    } catch (error) {
      if (!isIntegrityError(error)) throw error;
      print(`A stale writer was rejected: ${error.name}`);
    }

    print('The subscription saw, live:');
    for (const line of await live) print(line);

    const history = await recorder.selectEvents(dog, { gt: 0 });
    print(
      `Tricks read back: ${history.map((e) => JSON.parse(decoder.decode(e.state)).trick).join(', ')}`,
    );
  } finally {
    await persistence.close();
    await server.stop();
  }
  print('Done.');
}
