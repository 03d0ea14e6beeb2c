/**
 * Aggregate streams are `<Aggregate>-<id>` and event types `<Aggregate>.<Event>`, so KurrentDB's
 * stream-prefix and event-type filters (and, on a server running system projections, the
 * `$ce-<Aggregate>` category streams) select an aggregate type's events.
 */
import { randomUUID } from 'node:crypto';
import {
  eventTypeFilter,
  KurrentDBClient,
  START,
  streamNameFilter,
} from '@kurrent/kurrentdb-client';
import { describe, expect, inject, it } from 'vitest';
import { Dog } from '../../machines/dog.js';
import { Application } from '../../src/application/application.js';
import { defineAggregate } from '../../src/runtime/aggregate/define-aggregate.js';

const uri = inject('kurrentdbUri');

describe('aggregate streams and event types in KurrentDB', () => {
  it('are selected by stream-prefix and event-type filters of the official client', async () => {
    // A prefix unique to this run stands for the aggregate name, so earlier runs don't count.
    const name = `Dog${randomUUID().replaceAll('-', '').slice(0, 8)}`;
    const RunDog = defineAggregate({ name, machine: Dog.machine });
    await using app = new Application({
      env: { PERSISTENCE_MODULE: 'kurrentdb', KURRENTDB_URI: uri },
    });
    for (const dogName of ['Fido', 'Rex']) {
      const dog = await app.repository.create(RunDog, randomUUID());
      await dog.execute({ type: 'register', name: dogName });
      await dog.execute({ type: 'addTrick', trick: 'sit' });
    }
    const client = KurrentDBClient.connectionString(uri);
    try {
      const read = async (
        filter: Parameters<typeof client.readAll>[0] extends infer O
          ? O extends { filter?: infer F }
            ? F
            : never
          : never,
      ) => {
        const found: string[] = [];
        for await (const resolved of client.readAll({
          fromPosition: START,
          filter,
          maxCount: 100_000,
        })) {
          if (resolved.event !== undefined)
            found.push(`${resolved.event.streamId} ${resolved.event.type}`);
        }
        return found;
      };
      const byStream = await read(streamNameFilter({ prefixes: [`${name}-`] }));
      expect(byStream).toHaveLength(4);
      expect(byStream.every((line) => line.startsWith(`${name}-`))).toBe(true);
      const byType = await read(eventTypeFilter({ prefixes: [`${name}.`] }));
      expect(byType.map((line) => line.split(' ')[1])).toEqual([
        `${name}.Registered`,
        `${name}.TrickAdded`,
        `${name}.Registered`,
        `${name}.TrickAdded`,
      ]);
    } finally {
      await client.dispose();
    }
  });
});
