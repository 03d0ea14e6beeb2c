/**
 * A command whose append the server committed but never acknowledged: the error says the events
 * may or may not have been stored, and executing the command again with the same `commandId`
 * stores it at most once (issue finding 10).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Dog } from '../../machines/dog.js';
import { Application } from '../../src/application/application.js';
import { OperationalError } from '../../src/core/errors.js';
import {
  type KurrentDBTestServer,
  startKurrentDBTestServer,
} from '../../src/testing/test-server/start-test-server.js';

describe('a command whose append was committed but not acknowledged', () => {
  const servers: KurrentDBTestServer[] = [];
  const apps: Application[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  it('says it may or may not have been stored; the same commandId again stores it once', async () => {
    const server = await startKurrentDBTestServer();
    servers.push(server);
    const app = new Application({
      name: 'unacknowledged',
      env: { PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: server.uri },
    });
    apps.push(app);
    const id = randomUUID();
    const dog = await app.repository.create(Dog, id);
    await dog.execute({ type: 'register', name: 'Fido' });

    const fired = server.failNextAppendAfterCommit();
    const failed = await dog
      .execute({ type: 'addTrick', trick: 'sit' }, { commandId: 'teach-sit' })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    await fired;
    expect(failed).toBeInstanceOf(OperationalError);
    expect((failed as Error).message).toMatch(/may or may not have been stored/);

    const again = await dog.execute({ type: 'addTrick', trick: 'sit' }, { commandId: 'teach-sit' });
    expect(again.map((r) => r.notification.originatorVersion)).toEqual([1]);
    const stored = await app.recorder.selectEvents(`Dog-${id}`);
    expect(stored.map((e) => [e.originatorVersion, e.topic, e.metadata.commandId])).toEqual([
      [0, 'Dog.Registered', undefined],
      [1, 'Dog.TrickAdded', 'teach-sit'],
    ]);
    expect(dog.getSnapshot().context.tricks).toEqual(['sit']);
    // And once more: recognised by its command id, nothing appended.
    await dog.execute({ type: 'addTrick', trick: 'sit' }, { commandId: 'teach-sit' });
    expect(await app.recorder.selectEvents(`Dog-${id}`)).toHaveLength(2);
  });
});
