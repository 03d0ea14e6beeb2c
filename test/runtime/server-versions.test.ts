/**
 * Versions are the store's: after a stream was soft-deleted, KurrentDB continues its revision
 * numbering, and the aggregate takes the revision the append landed at (issue finding 6).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { Dog } from '../../machines/dog.js';
import { AggregateNotFoundError } from '../../src/core/errors.js';
import { useApplications } from '../support/applications.js';
import { persistenceModules } from '../support/counter.js';

const uri = inject('kurrentdbUri');

describe.each(persistenceModules(uri))('versions after a soft delete on %s', (_module, env) => {
  const open = useApplications('versions', env);

  it('a new aggregate on a soft-deleted stream continues its numbering', async () => {
    const app = open();
    const id = randomUUID();
    const first = await app.repository.create(Dog, id);
    await first.execute({ type: 'register', name: 'Fido' });
    await first.execute({ type: 'addTrick', trick: 'sit' });
    await app.recorder.deleteStream(`Dog-${id}`);

    // A second application with its own cache reads the store (kurrentdb); memory stores are
    // per application, so there the same one (whose cache the new aggregate replaces).
    const fresh = () => (env.PERSISTENCE_MODULE === 'kurrentdb' ? open() : app);
    const reader = fresh();
    await expect(reader.repository.get(Dog, id, { version: 0 })).rejects.toBeInstanceOf(
      AggregateNotFoundError,
    );
    const again = await reader.repository.create(Dog, id);
    const [registered] = await again.execute({ type: 'register', name: 'Rex' });
    expect(registered?.notification.originatorVersion).toBe(2);
    expect(again.version).toBe(2);
    const [trick] = await again.execute({ type: 'addTrick', trick: 'roll over' });
    expect(trick?.notification.originatorVersion).toBe(3);
    expect(again.getSnapshot().context).toEqual({ name: 'Rex', tricks: ['roll over'] });

    const stored = await reader.recorder.selectEvents(`Dog-${id}`);
    expect(stored.map((e) => e.originatorVersion)).toEqual([2, 3]);
    const replayed = await fresh().repository.get(Dog, id, { version: 3 });
    expect(replayed.getSnapshot().context).toEqual({ name: 'Rex', tricks: ['roll over'] });
    const current = await fresh().repository.get(Dog, id);
    expect(current.version).toBe(3);
  });
});
