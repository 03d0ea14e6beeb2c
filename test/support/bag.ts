/**
 * A `Bag` aggregate whose events carry any value: `put` emits `Put { value }`, `putTwo` emits two,
 * `close` emits `Closed`, after which `put` is rejected. The context keeps every value put, so a
 * replay, a snapshot load and the live actor can be compared value for value.
 */
import { assign, emit, setup } from 'xstate';
import type { Application } from '../../src/application/application.js';
import { defineAggregate } from '../../src/runtime/aggregate/define-aggregate.js';
import { Repository } from '../../src/runtime/aggregate/repository.js';
import { SnapshotStore, type Warn } from '../../src/runtime/aggregate/snapshot-store.js';

export const bagMachine = setup({
  types: {
    context: {} as { values: unknown[] },
    events: {} as
      | { type: 'put'; value: unknown }
      | { type: 'putTwo'; a: unknown; b: unknown }
      | { type: 'close' }
      | { type: 'Put'; value: unknown }
      | { type: 'Closed' },
    emitted: {} as { type: 'Put'; value: unknown } | { type: 'Closed' },
  },
}).createMachine({
  id: 'Bag',
  context: { values: [] },
  initial: 'open',
  states: {
    open: {
      on: {
        put: { actions: emit(({ event }) => ({ type: 'Put', value: event.value })) },
        putTwo: {
          actions: [
            emit(({ event }) => ({ type: 'Put', value: event.a })),
            emit(({ event }) => ({ type: 'Put', value: event.b })),
          ],
        },
        close: { actions: emit({ type: 'Closed' }) },
        Put: {
          actions: assign({ values: ({ context, event }) => [...context.values, event.value] }),
        },
        Closed: 'closed',
      },
    },
    closed: {},
  },
});

export const Bag = defineAggregate({ name: 'Bag', machine: bagMachine });

/**
 * A repository with an empty cache over `app`'s recorders (and its snapshots when `warn` is
 * given): what another process of the application would load. Close it after use.
 */
export function freshRepository(app: Application, warn?: Warn): Repository {
  return new Repository({
    recorder: app.recorder,
    transcoder: app.transcoder,
    snapshots:
      warn === undefined
        ? undefined
        : new SnapshotStore(app.persistence.snapshotRecorder, warn, app.transcoder),
    snapshotInterval: () => undefined,
    retries: 3,
    retryDelayMs: 5,
    cacheMaxSize: Number.POSITIVE_INFINITY,
    idleTimeoutMs: 0,
    fastForwardOnGet: true,
    inspect: () => undefined,
    warn: warn ?? (() => undefined),
    onSendFailure: () => undefined,
  });
}
