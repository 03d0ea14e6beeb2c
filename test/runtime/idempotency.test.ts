/**
 * Idempotent commands: event ids derive from the command id, the metadata carries the ids, and
 * executing the same command id again returns the original recordings and appends nothing —
 * also from a second application instance.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { Dog } from '../../machines/dog.js';
import { useApplications } from '../support/applications.js';
import { Counter, persistenceModules } from '../support/counter.js';

const uri = inject('kurrentdbUri');

describe.each(persistenceModules(uri))('idempotent commands on %s', (_module, env) => {
  const open = useApplications('school', env);

  it('stores commandId, correlationId and causationId and derives the event ids', async () => {
    const app = open();
    const id = randomUUID();
    const dog = await app.repository.create(Dog, id);
    const commandId = randomUUID();
    const [recording] = await dog.execute(
      { type: 'register', name: 'Fido' },
      { commandId, correlationId: 'conversation-1', metadata: { userId: 'user-1' } },
    );
    expect(recording?.notification.metadata).toMatchObject({
      commandId,
      correlationId: 'conversation-1',
      causationId: commandId,
      userId: 'user-1',
      schemaVersion: 1,
    });
    const [stored] = await app.recorder.selectEvents(`Dog-${id}`);
    expect(stored?.eventId).toBe(recording?.notification.eventId);
    expect(stored?.metadata).toMatchObject({ commandId, correlationId: 'conversation-1' });
    // The same command id on another aggregate gives other event ids.
    const other = await app.repository.create(Dog, randomUUID());
    const [second] = await other.execute({ type: 'register', name: 'Rex' }, { commandId });
    expect(second?.notification.eventId).not.toBe(stored?.eventId);
    expect(second?.notification.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab]/);
  });

  it('the same command id again returns the original recordings and appends nothing', async () => {
    const app = open();
    const id = randomUUID();
    const counter = await app.repository.create(Counter, id);
    await counter.execute({ type: 'start' });
    const commandId = randomUUID();
    const first = await counter.execute({ type: 'increment', by: 2 }, { commandId });
    await counter.execute({ type: 'increment', by: 1 });
    const before = await app.recorder.maxNotificationId();
    const again = await counter.execute({ type: 'increment', by: 2 }, { commandId });
    expect(again.map((r) => r.event)).toEqual(first.map((r) => r.event));
    expect(again.map((r) => r.notification.id)).toEqual(first.map((r) => r.notification.id));
    expect(again.map((r) => r.notification.originatorVersion)).toEqual([1]);
    expect(await app.recorder.maxNotificationId()).toBe(before);
    expect(counter.getSnapshot().context.count).toBe(3);
    expect(await app.recorder.selectEvents(`Counter-${id}`)).toHaveLength(3);
  });
});

describe('idempotent commands across application instances on KurrentDB', () => {
  const open = useApplications('school', { PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: uri });

  it('also from a second application instance, loaded or stale', async () => {
    const id = randomUUID();
    const a = open();
    const stale = open({ AGGREGATE_CACHE_FASTFORWARD: 'no' });
    const counter = await a.repository.create(Counter, id);
    await counter.execute({ type: 'start' });
    const staleCounter = await stale.repository.get(Counter, id);
    const commandId = randomUUID();
    const first = await counter.execute({ type: 'increment', by: 7 }, { commandId });
    const before = await a.recorder.maxNotificationId();

    // A fresh instance loads the stream (and with it the command ids in the metadata).
    const b = open();
    const loaded = await b.repository.get(Counter, id);
    const fromB = await loaded.execute({ type: 'increment', by: 7 }, { commandId });
    expect(fromB.map((r) => r.notification.id)).toEqual(first.map((r) => r.notification.id));

    // A stale instance decides at the old revision with the same event ids: the store sees a
    // retry of the same events and answers with the original position.
    const fromStale = await staleCounter.execute({ type: 'increment', by: 7 }, { commandId });
    expect(fromStale.map((r) => r.notification.id)).toEqual(first.map((r) => r.notification.id));
    expect(staleCounter.getSnapshot().context.count).toBe(7);

    expect(await a.recorder.maxNotificationId()).toBe(before);
    expect(await a.recorder.selectEvents(`Counter-${id}`)).toHaveLength(2);
  });
});
