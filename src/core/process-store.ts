/**
 * The process-store port: where a process manager keeps its instances (one per correlation id)
 * and its tracking records, so that an instance's new state and the tracking of the upstream
 * event that caused it are written in one transaction (a restart resumes each instance exactly
 * where it was, and never processes an upstream event twice).
 *
 * A process store is a {@link TrackingRecorder} (the process runner resumes from its
 * `maxTrackingId`, and `wait` tells when an upstream event was processed) with instance records.
 * The state is opaque text to the store (the process runtime encodes the machine's persisted
 * snapshot, its pending durable timers and its counters); `done` and `nextTimerAt` are kept
 * beside it so a store can answer {@link ProcessStore.instancesWithTimers} without decoding.
 *
 * @module
 */
import type { Tracking, TrackingRecorder } from './tracking-recorder.js';

/** One process instance as stored. */
export interface ProcessInstanceRecord {
  /** The process definition's name. */
  readonly processName: string;
  /** The instance's correlation id (unique within the process). */
  readonly correlationId: string;
  /** The encoded state: JSON text, opaque to the store. */
  readonly state: string;
  /** True once the instance's machine reached a final state. */
  readonly done: boolean;
  /** When its earliest pending durable timer is due (ms since the epoch); `undefined` when none. */
  readonly nextTimerAt: number | undefined;
}

/**
 * Process instances with the tracking of the upstream events that changed them.
 *
 * - `saveInstance(record, tracking)` inserts or replaces the instance and records `tracking` in
 *   one transaction: when the tracking id is not greater than the application's max, it raises
 *   `IntegrityError` and writes nothing (neither the instance nor the tracking).
 * - `saveInstance(record)` (no tracking, e.g. a durable timer fired) writes the instance alone.
 * - `loadInstance` sees every committed save (and, inside a projection runner's batch, that
 *   batch's own writes).
 */
export interface ProcessStore extends TrackingRecorder {
  /** The instance of `processName` with `correlationId`, or `undefined` when there is none. */
  loadInstance(
    processName: string,
    correlationId: string,
  ): Promise<ProcessInstanceRecord | undefined>;
  /**
   * Inserts or replaces the instance (by process name and correlation id), with `tracking` in
   * the same transaction when given.
   *
   * @throws IntegrityError when `tracking` is given and its id is not greater than the max
   *   recorded for its application (nothing is written).
   */
  saveInstance(record: ProcessInstanceRecord, tracking?: Tracking): Promise<void>;
  /** The instances of `processName` with a pending timer (`nextTimerAt` set), soonest first. */
  instancesWithTimers(processName: string): Promise<ProcessInstanceRecord[]>;
  /** Every instance of `processName`, in correlation-id order (for tests, tools, inspection). */
  instances(processName: string): Promise<ProcessInstanceRecord[]>;
}
