/**
 * The lifecycle of a projection runner, as the runner drives it (no I/O here). Open it in the
 * Stately inspector to watch a projection connect, catch up and go live.
 *
 * ```
 * connecting ──subscribed──▶ catchingUp ──caughtUp──▶ live
 *     ▲                          │                      │
 *     └──── retry ── retrying ◀──┴──── disconnected ────┘
 * failed ◀── fail (a handler or decoding error; from connecting, catchingUp or live)
 * stopped (final; on stop from any state but failed)
 * ```
 *
 * @module
 */
import { assign, setup } from 'xstate';

export interface ProjectionLifecycleContext {
  readonly projection: string;
  readonly application: string;
  /** The last processed notification id, as decimal text (`''` before the first). */
  readonly position: string;
  /** The `$all` head when the subscription started, as decimal text. */
  readonly head: string;
  /** Resubscriptions after connection failures. */
  readonly retries: number;
  readonly lastError: string | undefined;
}

export type ProjectionLifecycleEvent =
  | { readonly type: 'subscribed'; readonly position: string; readonly head: string }
  | { readonly type: 'caughtUp'; readonly position: string }
  | { readonly type: 'disconnected'; readonly error: string }
  | { readonly type: 'retry' }
  | { readonly type: 'fail'; readonly error: string }
  | { readonly type: 'stop' };

export const projectionLifecycleMachine = setup({
  types: {
    context: {} as ProjectionLifecycleContext,
    input: {} as { readonly projection: string; readonly application: string },
    events: {} as ProjectionLifecycleEvent,
  },
  actions: {
    subscribed: assign(({ event }) =>
      event.type === 'subscribed' ? { position: event.position, head: event.head } : {},
    ),
    caughtUp: assign(({ event }) =>
      event.type === 'caughtUp' ? { position: event.position } : {},
    ),
    error: assign(({ event }) =>
      event.type === 'disconnected' || event.type === 'fail' ? { lastError: event.error } : {},
    ),
    countRetry: assign({ retries: ({ context }) => context.retries + 1 }),
  },
}).createMachine({
  id: 'ProjectionLifecycle',
  context: ({ input }) => ({
    projection: input.projection,
    application: input.application,
    position: '',
    head: '',
    retries: 0,
    lastError: undefined,
  }),
  initial: 'connecting',
  states: {
    connecting: {
      on: {
        subscribed: { target: 'catchingUp', actions: 'subscribed' },
        disconnected: { target: 'retrying', actions: 'error' },
      },
    },
    catchingUp: {
      on: {
        caughtUp: { target: 'live', actions: 'caughtUp' },
        disconnected: { target: 'retrying', actions: 'error' },
      },
    },
    live: { on: { disconnected: { target: 'retrying', actions: 'error' } } },
    retrying: { on: { retry: { target: 'connecting', actions: 'countRetry' } } },
    failed: { type: 'final' },
    stopped: { type: 'final' },
  },
  on: {
    fail: { target: '.failed', actions: 'error' },
    stop: { target: '.stopped' },
  },
});
