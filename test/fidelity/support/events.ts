/**
 * Event builders and read helpers shared by the fidelity tests.
 *
 * @module
 */
import {
  type AllStreamRecordedEvent,
  type AllStreamResolvedEvent,
  type AppendResult,
  type EventData,
  jsonEvent,
  type KurrentDBClient,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type ResolvedEvent,
  StreamNotFoundError,
} from '@kurrent/kurrentdb-client';
import { expect } from 'vitest';
import { uniqueStream } from './client.js';
import { iterationErrorOf } from './errors.js';

/** `count` JSON events of `type` with data `{ index }`. */
export function jsonEvents(count: number, type = 'FidelityTested'): EventData[] {
  return Array.from({ length: count }, (_, index) => jsonEvent({ type, data: { index } }));
}

/** Asserts that reading `stream` fails with `StreamNotFoundError`: nothing was written to it. */
export async function expectStreamNotFound(client: KurrentDBClient, stream: string): Promise<void> {
  expect(await iterationErrorOf(client.readStream(stream))).toBeInstanceOf(StreamNotFoundError);
}

/** Drains an async iterable into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** The recorded events of a `readStream` call (links left unresolved). */
export async function readStreamEvents(
  client: KurrentDBClient,
  stream: string,
  options?: ReadStreamOptions,
): Promise<RecordedEvent[]> {
  const resolved: ResolvedEvent[] = await collect(client.readStream(stream, options));
  return resolved.map((r) => {
    if (r.event === undefined)
      throw new Error(`readStream(${stream}) returned an event-less entry`);
    return r.event;
  });
}

/** The recorded events of a `readAll` call. */
export async function readAllEvents(
  client: KurrentDBClient,
  options?: ReadAllOptions,
): Promise<AllStreamRecordedEvent[]> {
  const resolved: AllStreamResolvedEvent[] = await collect(client.readAll(options));
  return resolved.map((r) => {
    if (r.event === undefined) throw new Error('readAll returned an event-less entry');
    return r.event;
  });
}

/**
 * Reads `$all` forwards from `from` (inclusive) until an event at or past `until` is seen,
 * and returns everything read up to and including `until`.
 */
export async function readAllBetween(
  client: KurrentDBClient,
  from: Position,
  until: Position,
): Promise<AllStreamRecordedEvent[]> {
  const events: AllStreamRecordedEvent[] = [];
  for await (const resolved of client.readAll({ fromPosition: from, maxCount: 100_000 })) {
    const event = resolved.event;
    if (event === undefined) continue;
    if (event.position.commit > until.commit) break;
    events.push(event);
    if (event.position.commit === until.commit) break;
  }
  return events;
}

/** The position of a successful append, failing the test when the server gave none. */
export function positionOf(result: AppendResult): Position {
  expect(result.success).toBe(true);
  const position = result.position;
  if (position === undefined) throw new Error('append result carries no position');
  return position;
}

/**
 * Appends one marker event to a fresh stream and returns its `$all` position; anything appended
 * afterwards has a larger position.
 */
export async function appendMarker(client: KurrentDBClient): Promise<Position> {
  const result = await client.appendToStream(
    uniqueStream('marker'),
    jsonEvent({ type: 'FidelityMarker', data: {} }),
  );
  return positionOf(result);
}

/** Compares two positions: negative, zero or positive. */
export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** The ids of events, in order. */
export function idsOf(events: readonly { id: string }[]): string[] {
  return events.map((e) => e.id);
}
