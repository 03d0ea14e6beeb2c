/**
 * Checks of what users hand the aggregate runtime (definitions, ids, commands, options), made
 * before any I/O so that a bad value is a `ProgrammingError` naming it and nothing is written.
 *
 * @module
 */
import { ProgrammingError } from '../../core/errors.js';
import { describeValue, notANameBecause } from '../../core/well-formed.js';
import type { AggregateDefinition } from './define-aggregate.js';

/** @throws ProgrammingError unless `definition` is what `defineAggregate` returns. */
export function checkDefinition(definition: unknown, where: string): void {
  const candidate = definition as Partial<AggregateDefinition> | null | undefined;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.name !== 'string' ||
    typeof candidate.streamName !== 'function' ||
    !(candidate.eventTypes instanceof Set)
  ) {
    throw new ProgrammingError(
      `${where}: the aggregate definition is ${describeValue(definition)}; pass what defineAggregate() returns`,
    );
  }
}

/**
 * @returns the aggregate's stream name.
 * @throws ProgrammingError unless `id` is a non-empty, well-formed string whose stream name is
 *   one too and does not start with `$` (a KurrentDB system stream, never a notification).
 */
export function checkAggregateId(definition: AggregateDefinition, id: unknown): string {
  const problem = notANameBecause(id);
  if (problem !== undefined) {
    throw new ProgrammingError(
      `${definition.name} id ${problem}: an aggregate id must be a non-empty, well-formed string`,
    );
  }
  let streamName: unknown;
  try {
    streamName = definition.streamName(id as string);
  } catch (error) {
    throw new ProgrammingError(
      `${definition.name}: streamName(${JSON.stringify(id)}) threw: ${(error as Error)?.message ?? String(error)}`,
      { cause: error },
    );
  }
  const streamProblem = notANameBecause(streamName);
  if (streamProblem !== undefined || (streamName as string).startsWith('$')) {
    throw new ProgrammingError(
      `${definition.name} '${id as string}': its stream name ${streamProblem ?? `'${streamName as string}' starts with '$' (a system stream: its events never become notifications)`}`,
    );
  }
  return streamName as string;
}

/** @throws ProgrammingError unless `options` is an object (or undefined). */
export function checkOptionsObject(options: unknown, where: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ProgrammingError(
      `${where}: options must be an object or undefined, got ${describeValue(options)}`,
    );
  }
}

const ID_OPTIONS = ['commandId', 'correlationId', 'causationId'] as const;

/**
 * Checks `execute`'s options: an object; `commandId`, `correlationId` and `causationId`
 * non-empty, well-formed strings when given; `metadata` a plain object when given (its values
 * are checked when they are encoded).
 *
 * @throws ProgrammingError naming the option and the problem.
 */
export function checkExecuteOptions(options: unknown, where: string): void {
  checkOptionsObject(options, where);
  if (options === undefined) return;
  const record = options as Record<string, unknown>;
  for (const key of ID_OPTIONS) {
    const value = record[key];
    if (value === undefined) continue;
    const problem = notANameBecause(value);
    if (problem !== undefined) {
      throw new ProgrammingError(`${where}: option '${key}' ${problem}`);
    }
  }
  const { metadata } = record;
  if (metadata === undefined) return;
  const prototype =
    typeof metadata === 'object' && metadata !== null ? Object.getPrototypeOf(metadata) : undefined;
  if (prototype !== Object.prototype && prototype !== null) {
    throw new ProgrammingError(
      `${where}: option 'metadata' must be a plain object, got ${describeValue(metadata)}`,
    );
  }
}
