/**
 * The lifecycle of an aggregate actor, as the runtime drives it (no I/O here: the runtime sends
 * these events as it loads, executes, retries and passivates). Open it in the Stately inspector
 * to watch an aggregate work.
 *
 * ```
 * loading ──loaded──▶ ready ──execute──▶ executing ──executed/rejected/failed──▶ ready
 *    │                  │ ▲                 │ conflict
 *    loadFailed         │ └──activate──┐    ▼
 *    ▼                  passivate     passivated   retrying ──retry──▶ executing
 *  failed ◀──crashed── (executing: the machine failed to apply its stored events)
 *                     stopped (final; from any state on stop)
 * ```
 *
 * @module
 */
import { assign, setup } from 'xstate';

export interface AggregateLifecycleContext {
  readonly aggregate: string;
  readonly id: string;
  /** Stream revision of the last event applied on loading or fast-forwarding (-1 for none). */
  readonly version: number;
  /** Optimistic-concurrency conflicts met while live. */
  readonly conflicts: number;
  /** The last failure, as text. */
  readonly lastError: string | undefined;
}

export type AggregateLifecycleEvent =
  | { readonly type: 'loaded'; readonly version: number }
  | { readonly type: 'loadFailed'; readonly error: string }
  | { readonly type: 'execute'; readonly command: { readonly type: string } }
  | { readonly type: 'executed'; readonly version: number }
  | { readonly type: 'rejected'; readonly error: string }
  | { readonly type: 'failed'; readonly error: string }
  | { readonly type: 'crashed'; readonly error: string }
  | { readonly type: 'conflict'; readonly attempt: number }
  | { readonly type: 'retry' }
  | { readonly type: 'fastForwarded'; readonly version: number }
  | { readonly type: 'passivate' }
  | { readonly type: 'activate' }
  | { readonly type: 'stop' };

const versionOf = (event: AggregateLifecycleEvent): number =>
  'version' in event ? event.version : -1;
const errorOf = (event: AggregateLifecycleEvent): string | undefined =>
  'error' in event ? event.error : undefined;

export const aggregateLifecycleMachine = setup({
  types: {
    context: {} as AggregateLifecycleContext,
    input: {} as { readonly aggregate: string; readonly id: string },
    events: {} as AggregateLifecycleEvent,
  },
  actions: {
    toVersion: assign({ version: ({ event }) => versionOf(event) }),
    toError: assign({ lastError: ({ event }) => errorOf(event) }),
    countConflict: assign({ conflicts: ({ context }) => context.conflicts + 1 }),
  },
}).createMachine({
  id: 'AggregateLifecycle',
  context: ({ input }) => ({
    aggregate: input.aggregate,
    id: input.id,
    version: -1,
    conflicts: 0,
    lastError: undefined,
  }),
  initial: 'loading',
  on: { stop: '.stopped' },
  states: {
    loading: {
      on: {
        loaded: { target: 'ready', actions: 'toVersion' },
        loadFailed: { target: 'failed', actions: 'toError' },
      },
    },
    ready: {
      on: {
        execute: 'executing',
        fastForwarded: { actions: 'toVersion' },
        passivate: 'passivated',
      },
    },
    executing: {
      on: {
        // Per-command transitions assign nothing: they run for every command, so they stay cheap.
        // The version a command reached is in its `executed` event.
        executed: 'ready',
        rejected: { target: 'ready', actions: 'toError' },
        failed: { target: 'ready', actions: 'toError' },
        crashed: { target: 'failed', actions: 'toError' },
        conflict: {
          target: 'retrying',
          actions: 'countConflict',
        },
      },
    },
    retrying: {
      on: {
        fastForwarded: { actions: 'toVersion' },
        retry: 'executing',
        rejected: { target: 'ready', actions: 'toError' },
        failed: { target: 'ready', actions: 'toError' },
      },
    },
    passivated: { on: { activate: 'loading' } },
    failed: { on: { activate: 'loading' } },
    stopped: { type: 'final' },
  },
});
