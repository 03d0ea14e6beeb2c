/**
 * Malformed arguments of `insertEvents` / `appendEvents`: every recorder refuses each of them
 * with a `ProgrammingError` before any I/O (see `checkStoredEvents`).
 *
 * @module
 */
import type { StoredEvent } from '../../core/stored-event.js';

/** A well-formed event made malformed in one field. */
export interface BadEventCase {
  readonly name: string;
  /** The field the error message must name after `events[i]` (e.g. `metadata.n`). */
  readonly field: string;
  readonly spoil: (event: StoredEvent) => unknown;
}

/** A malformed `events` argument as a whole. */
export interface BadBatchCase {
  readonly name: string;
  readonly batch: (event: StoredEvent) => unknown;
}

const set =
  (field: keyof StoredEvent, value: unknown) =>
  (event: StoredEvent): unknown => ({ ...event, [field]: value });

const withMetadata =
  (metadata: unknown) =>
  (event: StoredEvent): unknown => ({ ...event, metadata });

/** An object that contains itself. */
function cycle(): Record<string, unknown> {
  const self: Record<string, unknown> = { a: 1 };
  self.self = self;
  return self;
}

/** A plain object whose property getter throws. */
function throwingGetter(): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  Object.defineProperty(metadata, 'boom', {
    enumerable: true,
    get() {
      throw new Error('getter failed');
    },
  });
  return metadata;
}

/** Every way one event can be malformed. */
export const BAD_EVENT_CASES: readonly BadEventCase[] = [
  { name: 'null instead of an event', field: '', spoil: () => null },
  { name: 'a number instead of an event', field: '', spoil: () => 42 },
  { name: 'originatorId missing', field: 'originatorId', spoil: set('originatorId', undefined) },
  { name: 'originatorId a number', field: 'originatorId', spoil: set('originatorId', 42) },
  { name: 'originatorId empty', field: 'originatorId', spoil: set('originatorId', '') },
  {
    name: 'originatorId with a lone surrogate',
    field: 'originatorId',
    spoil: (event) => ({ ...event, originatorId: `${event.originatorId}\uD800` }),
  },
  {
    name: "originatorId starting with '$' (a system stream)",
    field: 'originatorId',
    spoil: (event) => ({ ...event, originatorId: `$${event.originatorId}` }),
  },
  {
    name: 'originatorVersion negative',
    field: 'originatorVersion',
    spoil: set('originatorVersion', -1),
  },
  {
    name: 'originatorVersion 1.5',
    field: 'originatorVersion',
    spoil: set('originatorVersion', 1.5),
  },
  {
    name: 'originatorVersion NaN',
    field: 'originatorVersion',
    spoil: set('originatorVersion', Number.NaN),
  },
  {
    name: 'originatorVersion a string',
    field: 'originatorVersion',
    spoil: set('originatorVersion', '1'),
  },
  {
    name: 'originatorVersion not a safe integer',
    field: 'originatorVersion',
    spoil: set('originatorVersion', 2 ** 53),
  },
  { name: 'topic empty', field: 'topic', spoil: set('topic', '') },
  { name: 'topic a number', field: 'topic', spoil: set('topic', 7) },
  { name: 'topic with a lone surrogate', field: 'topic', spoil: set('topic', 'T\uDC00') },
  { name: 'state a string', field: 'state', spoil: set('state', 'AQID') },
  { name: 'state a plain array', field: 'state', spoil: set('state', [1, 2, 3]) },
  { name: 'state an ArrayBuffer', field: 'state', spoil: set('state', new ArrayBuffer(2)) },
  { name: 'state a Uint16Array', field: 'state', spoil: set('state', new Uint16Array(2)) },
  { name: 'state missing', field: 'state', spoil: set('state', undefined) },
  { name: 'metadata missing', field: 'metadata', spoil: withMetadata(undefined) },
  { name: 'metadata null', field: 'metadata', spoil: withMetadata(null) },
  { name: 'metadata an array', field: 'metadata', spoil: withMetadata([]) },
  { name: 'metadata a string', field: 'metadata', spoil: withMetadata('{}') },
  { name: 'metadata a Date', field: 'metadata', spoil: withMetadata(new Date(0)) },
  { name: 'metadata with a bigint', field: 'metadata.n', spoil: withMetadata({ n: 1n }) },
  { name: 'metadata with a cycle', field: 'metadata.self', spoil: withMetadata(cycle()) },
  {
    name: 'metadata with a toJSON method',
    field: 'metadata.toJSON',
    spoil: withMetadata({ a: 1, toJSON: () => ({}) }),
  },
  { name: 'metadata with a function', field: 'metadata.f', spoil: withMetadata({ f: () => 1 }) },
  { name: 'metadata with a symbol', field: 'metadata.s', spoil: withMetadata({ s: Symbol('s') }) },
  { name: 'metadata with a Date', field: 'metadata.at', spoil: withMetadata({ at: new Date(0) }) },
  { name: 'metadata with a Map', field: 'metadata.m', spoil: withMetadata({ m: new Map() }) },
  { name: 'metadata with NaN', field: 'metadata.n', spoil: withMetadata({ n: Number.NaN }) },
  {
    name: 'metadata with Infinity',
    field: 'metadata.n',
    spoil: withMetadata({ n: Number.POSITIVE_INFINITY }),
  },
  {
    name: 'metadata with undefined in an array',
    field: 'metadata.list[1]',
    spoil: withMetadata({ list: [1, undefined] }),
  },
  {
    name: 'metadata with a bigint deep inside',
    field: 'metadata.a.b[0].c',
    spoil: withMetadata({ a: { b: [{ c: 2n }] } }),
  },
  {
    name: 'metadata with a throwing getter',
    field: 'metadata',
    spoil: withMetadata(throwingGetter()),
  },
  { name: 'eventId not a UUID', field: 'eventId', spoil: set('eventId', 'e-1') },
  {
    name: 'eventId a UUID without dashes',
    field: 'eventId',
    spoil: (event) => ({ ...event, eventId: event.eventId.replaceAll('-', '') }),
  },
  { name: 'eventId missing', field: 'eventId', spoil: set('eventId', undefined) },
  { name: 'eventId a number', field: 'eventId', spoil: set('eventId', 42) },
];

/** Every way the `events` argument as a whole can be malformed. */
export const BAD_BATCH_CASES: readonly BadBatchCase[] = [
  { name: 'a string', batch: () => 'events' },
  { name: 'null', batch: () => null },
  { name: 'undefined', batch: () => undefined },
  { name: 'one event, not in an array', batch: (event) => event },
  { name: 'an array-like object', batch: (event) => ({ length: 1, 0: event }) },
  { name: 'a Set of events', batch: (event) => new Set([event]) },
];
