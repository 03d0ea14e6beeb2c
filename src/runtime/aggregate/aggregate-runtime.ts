/**
 * What the aggregate runtime needs from the application: recorders, settings and hooks.
 *
 * @module
 */
import type { AnyMachineSnapshot, EventObject, InspectionEvent, Observer } from 'xstate';
import type { ApplicationRecorder } from '../../core/application-recorder.js';
import type { Transcoder } from '../../core/transcoder.js';
import type { AggregateDefinition } from './define-aggregate.js';
import type { SnapshotStore, Warn } from './snapshot-store.js';

/** An XState inspection observer, as `createActor(logic, { inspect })` takes it. */
export type InspectObserver = Observer<InspectionEvent> | ((event: InspectionEvent) => void);

export interface AggregateRuntimeSettings {
  readonly recorder: ApplicationRecorder;
  /** Encodes and decodes event payloads, metadata values and snapshots. */
  readonly transcoder: Transcoder;
  /** Present when snapshotting is enabled. */
  readonly snapshots: SnapshotStore | undefined;
  /** Events between automatic snapshots of an aggregate type, `undefined` for none. */
  snapshotInterval(definition: AggregateDefinition): number | undefined;
  /** Retries after an optimistic-concurrency conflict. @defaultValue 3 */
  readonly retries: number;
  /** First retry delay in ms; doubles per attempt, with ±50 % jitter. @defaultValue 5 */
  readonly retryDelayMs: number;
  /** Live aggregates kept in the cache (LRU); `Infinity` for no limit. */
  readonly cacheMaxSize: number;
  /** Passivate a live aggregate idle this long (ms); 0 = only when evicted. */
  readonly idleTimeoutMs: number;
  /** Fast-forward a cached aggregate from the store on `get`. @defaultValue true */
  readonly fastForwardOnGet: boolean;
  /** Observes every aggregate actor and lifecycle actor (the Stately inspector, …). */
  inspect(): InspectObserver | undefined;
  readonly warn: Warn;
  /** A command given with `send` (not `execute`) failed. */
  onSendFailure(command: EventObject, error: unknown): void;
  /** True once the application closed (set by the repository). */
  isClosed?(): boolean;
  /** An aggregate's machine failed to apply its own stored events: forget the instance. */
  onCrash?(instance: { readonly streamName: string }): void;
  /**
   * An aggregate's mailbox got work (`busy` true) or emptied (false), so closing can wait for
   * the queued commands of every busy aggregate (created ones not yet cached too).
   */
  onBusy?(aggregate: Settles, busy: boolean): void;
  /** An aggregate applied stored domain events (a command's, or a fast-forward's). */
  onApplied?(change: AppliedChange): void;
}

/** Stored domain events an aggregate applied, and the state they led to. */
export interface AppliedChange {
  readonly streamName: string;
  /** The events, decoded as a replay decodes them, in stream order. */
  readonly events: readonly EventObject[];
  /** The version of the first of them. */
  readonly firstVersion: number;
  /** The aggregate's version after them. */
  readonly version: number;
  /** The aggregate machine's snapshot after them. */
  readonly snapshot: AnyMachineSnapshot;
}

/** What closing waits for: an aggregate whose queued work settles. */
export interface Settles {
  /** Resolves once the work queued so far has settled (whatever its outcome). */
  settled(): Promise<void>;
}
