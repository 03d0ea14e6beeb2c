/**
 * The argument checks every {@link ProcessStore} adapter makes before it touches its store, so
 * that a bad call fails alike in memory, SQLite and PostgreSQL (with a `ProgrammingError`, and
 * nothing written), and so that memory never keeps what SQL could not store (a lone surrogate,
 * U+0000).
 *
 * @module
 */
import { ProgrammingError } from './errors.js';
import type { ProcessInstanceRecord, ProcessStore } from './process-store.js';
import type { Tracking } from './tracking-recorder.js';
import { describeValue, isWellFormed, notANameBecause } from './well-formed.js';

/**
 * @throws ProgrammingError when `processName` is not a non-empty, well-formed string without
 *   U+0000.
 */
export function checkProcessName(processName: unknown): asserts processName is string {
  const why = notStorableBecause(processName);
  if (why !== undefined) throw new ProgrammingError(`The process name ${why}`);
}

/**
 * @throws ProgrammingError when `processName` or `correlationId` is not a non-empty,
 *   well-formed string without U+0000.
 */
export function checkProcessKey(processName: unknown, correlationId: unknown): void {
  checkProcessName(processName);
  const why = notStorableBecause(correlationId);
  if (why !== undefined) {
    throw new ProgrammingError(`The correlation id of process '${processName}' ${why}`);
  }
}

/**
 * Checks the arguments of {@link ProcessStore.saveInstance} and returns a plain copy of the
 * record (its five fields only, so later changes to the caller's object change nothing).
 *
 * @throws ProgrammingError naming the offending value: a record that is not an object, a bad
 *   process name or correlation id ({@link checkProcessKey}), a `state` that is not a
 *   well-formed string without U+0000, a `done` that is not a boolean, a `nextTimerAt` that is neither a finite
 *   number nor `undefined`, or a `tracking` that is neither `undefined` nor a tracking record.
 */
export function checkProcessInstance(record: unknown, tracking: unknown): ProcessInstanceRecord {
  if (typeof record !== 'object' || record === null) {
    throw new ProgrammingError(`The process instance is ${describeValue(record)}, not an object`);
  }
  const { processName, correlationId, state, done, nextTimerAt } = record as Record<
    keyof ProcessInstanceRecord,
    unknown
  >;
  checkProcessKey(processName, correlationId);
  const name = `process instance '${String(processName)}/${String(correlationId)}'`;
  if (typeof state !== 'string') {
    throw new ProgrammingError(`The state of ${name} is ${describeValue(state)}, not a string`);
  }
  const why = isWellFormed(state) ? nulBecause(state) : 'contains a lone UTF-16 surrogate';
  if (why !== undefined) throw new ProgrammingError(`The state of ${name} ${why}`);
  if (typeof done !== 'boolean') {
    throw new ProgrammingError(`The done flag of ${name} is ${describeValue(done)}, not a boolean`);
  }
  if (nextTimerAt !== undefined && !Number.isFinite(nextTimerAt)) {
    throw new ProgrammingError(
      `The next timer of ${name} is ${describeValue(nextTimerAt)}, not a finite number (ms since the epoch) or undefined`,
    );
  }
  if (tracking !== undefined) checkTracking(tracking, name);
  return {
    processName: processName as string,
    correlationId: correlationId as string,
    state,
    done,
    nextTimerAt: nextTimerAt as number | undefined,
  };
}

/** Why `value` is not a name every store can keep, or `undefined` when it is one. */
function notStorableBecause(value: unknown): string | undefined {
  return notANameBecause(value) ?? nulBecause(value as string);
}

/** PostgreSQL text can't hold U+0000 (JSON text never has one: `JSON.stringify` escapes it). */
function nulBecause(text: string): string | undefined {
  return text.includes('\0') ? "contains U+0000, which PostgreSQL can't store" : undefined;
}

function checkTracking(tracking: unknown, name: string): asserts tracking is Tracking {
  const { applicationName, notificationId } =
    typeof tracking === 'object' && tracking !== null
      ? (tracking as Record<keyof Tracking, unknown>)
      : { applicationName: undefined, notificationId: undefined };
  if (typeof applicationName !== 'string' || typeof notificationId !== 'bigint') {
    throw new ProgrammingError(
      `The tracking of ${name} is ${describeValue(tracking)}, not { applicationName: string, notificationId: bigint } or undefined`,
    );
  }
}
