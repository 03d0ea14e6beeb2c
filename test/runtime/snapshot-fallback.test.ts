/**
 * A snapshot can never brick an aggregate (issue finding 3): snapshots go through the transcoder
 * (a `Set`, `Map` or `Date` in context is restored as itself), and a snapshot that fails to
 * decode, to restore, or to take the events after it is ignored with a warning while the stream
 * is replayed.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { assign, emit, setup } from 'xstate';
import type { Application } from '../../src/application/application.js';
import { defineAggregate } from '../../src/runtime/aggregate/define-aggregate.js';
import { useApplications } from '../support/applications.js';
import { freshRepository } from '../support/bag.js';
import { persistenceModules } from '../support/counter.js';

const uri = inject('kurrentdbUri');

/** Tags in a Set, dates in a Map: a context plain JSON would ruin. */
const taggedMachine = setup({
  types: {
    context: {} as { tags: Set<string>; seen: Map<string, Date> },
    events: {} as
      | { type: 'tag'; tag: string; at: Date }
      | { type: 'Tagged'; tag: string; at: Date },
    emitted: {} as { type: 'Tagged'; tag: string; at: Date },
  },
}).createMachine({
  id: 'Tagged',
  context: () => ({ tags: new Set<string>(), seen: new Map<string, Date>() }),
  on: {
    tag: { actions: emit(({ event }) => ({ type: 'Tagged', tag: event.tag, at: event.at })) },
    Tagged: {
      actions: assign(({ context, event }) => ({
        tags: new Set([...context.tags, event.tag]),
        seen: new Map([...context.seen, [event.tag, event.at]]),
      })),
    },
  },
});
const Tagged = defineAggregate({ name: 'Tagged', machine: taggedMachine });

const at = (day: number) => new Date(Date.UTC(2026, 0, day));

describe.each(persistenceModules(uri))(
  'snapshots that could brick an aggregate on %s',
  (_module, env) => {
    const open = useApplications('fallback', { ...env, IS_SNAPSHOTTING_ENABLED: 'y' });

    async function taggedWith(app: Application, tags: string[]) {
      const id = randomUUID();
      const tagged = await app.repository.create(Tagged, id);
      for (const [index, tag] of tags.entries()) {
        await tagged.execute({ type: 'tag', tag, at: at(index + 1) });
      }
      return { id, tagged };
    }

    it('keeps a Set, a Map and Dates in context through a snapshot', async () => {
      const app = open();
      const { id, tagged } = await taggedWith(app, ['a', 'b']);
      await app.takeSnapshot(Tagged, id);
      await tagged.execute({ type: 'tag', tag: 'c', at: at(3) });
      const warnings: unknown[] = [];
      const fresh = freshRepository(app, (message) => warnings.push(message));
      try {
        const loaded = await fresh.get(Tagged, id);
        expect(warnings).toEqual([]);
        const { context } = loaded.getSnapshot();
        expect(context.tags).toEqual(new Set(['a', 'b', 'c']));
        expect(context.seen.get('b')).toEqual(at(2));
        expect(isDeepStrictEqual(context, tagged.getSnapshot().context)).toBe(true);
      } finally {
        await fresh.close();
      }
    });

    it('ignores a snapshot written as plain JSON (a Set became {}) that the events after it fail on', async () => {
      const app = open();
      const { id, tagged } = await taggedWith(app, ['a']);
      // What the library wrote before the transcoder: the Set and the Map as {}.
      await app.persistence.snapshotRecorder.insertEvents([
        {
          originatorId: `Tagged-${id}`,
          originatorVersion: 0,
          topic: 'Tagged.Snapshot',
          state: new TextEncoder().encode(
            JSON.stringify({
              snapshot: { value: {}, context: { tags: {}, seen: {} } },
              commandIds: [],
            }),
          ),
          metadata: { machine: 'Tagged' },
          eventId: randomUUID(),
        },
      ]);
      await tagged.execute({ type: 'tag', tag: 'b', at: at(2) });
      const warnings: string[] = [];
      const fresh = freshRepository(app, (message) => warnings.push(message));
      try {
        const loaded = await fresh.get(Tagged, id);
        expect(loaded.getSnapshot().context.tags).toEqual(new Set(['a', 'b']));
        expect(loaded.version).toBe(1);
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(
          /Ignoring the snapshot of 'Tagged-.*' at version 0: the events after it don't apply to it/,
        );
      } finally {
        await fresh.close();
      }
    });

    it.each([
      ['bytes that are not JSON', new Uint8Array([0xff, 0x00, 0x7b])],
      [
        'an unknown transcoded type',
        new TextEncoder().encode(
          '{"snapshot":{"value":{},"context":{"_type_":"money","_data_":1}}}',
        ),
      ],
      [
        'a state the machine does not have',
        new TextEncoder().encode('{"snapshot":{"value":"gone","context":{}}}'),
      ],
    ])('ignores a snapshot holding %s and replays the stream', async (_what, state) => {
      const app = open();
      const { id } = await taggedWith(app, ['a', 'b']);
      await app.persistence.snapshotRecorder.insertEvents([
        {
          originatorId: `Tagged-${id}`,
          originatorVersion: 1,
          topic: 'Tagged.Snapshot',
          state,
          metadata: { machine: 'Tagged' },
          eventId: randomUUID(),
        },
      ]);
      const warnings: string[] = [];
      const fresh = freshRepository(app, (message) => warnings.push(message));
      try {
        const loaded = await fresh.get(Tagged, id);
        expect(loaded.getSnapshot().context.tags).toEqual(new Set(['a', 'b']));
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatch(/Ignoring the snapshot of 'Tagged-.*' at version 1/);
      } finally {
        await fresh.close();
      }
    });
  },
);
