/**
 * Helpers shared by the recorder contract suites: event factories, comparisons and bounded
 * waits, all written so that a test never depends on what other writers put in the store.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { ApplicationRecorder } from '../../core/application-recorder.js';
import type { EventMetadata, Notification, StoredEvent } from '../../core/stored-event.js';

const encoder = new TextEncoder();

/** Options of {@link makeEvent}. */
export interface MakeEventOptions {
  readonly topic?: string;
  readonly state?: string;
  readonly metadata?: EventMetadata;
  readonly eventId?: string;
}

/** A stored event of `originatorId` at `version` with a fresh event id and recognisable state. */
export function makeEvent(
  originatorId: string,
  version: number,
  options: MakeEventOptions = {},
): StoredEvent {
  return {
    originatorId,
    originatorVersion: version,
    topic: options.topic ?? 'contract.test:Aggregate.Event',
    state: encoder.encode(options.state ?? `{"originator":"${originatorId}","version":${version}}`),
    metadata: options.metadata ?? { userId: `user-${version}` },
    eventId: options.eventId ?? randomUUID(),
  };
}

/** A new random originator id (a UUID, the form the library's aggregates use). */
export const newOriginatorId = (): string => randomUUID();

/** A topic no other test uses: `contract.test:<name>-<uuid>`. */
export const uniqueTopic = (name: string): string => `contract.test:${name}-${randomUUID()}`;

/**
 * Three events, each with a fresh topic: `e1` and `e2` as versions 0 and 1 of `first`, `e3` as
 * version `thirdVersion` of `third`.
 */
export function threeTopicEvents(first: string, third: string, thirdVersion: number) {
  const topics = [uniqueTopic('Topic1'), uniqueTopic('Topic2'), uniqueTopic('Topic3')] as const;
  return {
    topics,
    e1: makeEvent(first, 0, { topic: topics[0] }),
    e2: makeEvent(first, 1, { topic: topics[1] }),
    e3: makeEvent(third, thirdVersion, { topic: topics[2] }),
  };
}

/** The comparable form of a stored event: state as hex, no notification id. */
export interface ComparableEvent {
  readonly originatorId: string;
  readonly originatorVersion: number;
  readonly topic: string;
  readonly state: string;
  readonly metadata: EventMetadata;
  readonly eventId: string;
}

/** Drops the notification id and turns the state bytes into hex, so Buffer and Uint8Array compare equal. */
export function comparable(event: StoredEvent): ComparableEvent {
  return {
    originatorId: event.originatorId,
    originatorVersion: event.originatorVersion,
    topic: event.topic,
    state: Buffer.from(event.state.buffer, event.state.byteOffset, event.state.byteLength).toString(
      'hex',
    ),
    metadata: event.metadata,
    eventId: event.eventId,
  };
}

/** {@link comparable} over a list. */
export const comparables = (events: readonly StoredEvent[]): ComparableEvent[] =>
  events.map(comparable);

/** Keeps only the notifications of the given originators (other writers may share the log). */
export function own(
  notifications: readonly Notification[],
  originatorIds: Iterable<string>,
): Notification[] {
  const ids = new Set(originatorIds);
  return notifications.filter((n) => ids.has(n.originatorId));
}

/** Options of {@link selectOwnNotifications}. */
export interface SelectOwnOptions {
  /** Exclusive lower bound (a notification id, or `0n`/`undefined` for the beginning). */
  readonly after: bigint | undefined;
  /** Page size. @defaultValue `500` */
  readonly pageSize?: number;
  readonly topics?: readonly string[];
}

/**
 * Pages through the notifications after `after` (exclusive start, so it works with sparse ids)
 * up to the max notification id taken when called, keeping those of `originatorIds`.
 */
export async function selectOwnNotifications(
  recorder: ApplicationRecorder,
  originatorIds: Iterable<string>,
  options: SelectOwnOptions,
): Promise<Notification[]> {
  const ids = new Set(originatorIds);
  const end = await recorder.maxNotificationId();
  const result: Notification[] = [];
  let start = options.after;
  for (;;) {
    const page = await recorder.selectNotifications({
      limit: options.pageSize ?? 500,
      ...(start === undefined ? {} : { start, inclusiveOfStart: false }),
      ...(options.topics === undefined ? {} : { topics: options.topics }),
    });
    for (const n of page) if (ids.has(n.originatorId)) result.push(n);
    const last = page.at(-1);
    if (last === undefined || last.id >= end) return result;
    start = last.id;
  }
}

/** Resolves the promise or rejects after `ms` with a message naming `what`. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Pulls from `iterator` until `count` items of `originatorIds` arrived (others are skipped),
 * failing after `ms`.
 */
export async function takeOwn(
  iterator: AsyncIterator<Notification>,
  originatorIds: Iterable<string>,
  count: number,
  ms = 10_000,
): Promise<Notification[]> {
  const ids = new Set(originatorIds);
  const pull = async (): Promise<Notification[]> => {
    const result: Notification[] = [];
    while (result.length < count) {
      const next = await iterator.next();
      if (next.done) throw new Error(`Subscription ended after ${result.length}/${count} items`);
      if (ids.has(next.value.originatorId)) result.push(next.value);
    }
    return result;
  };
  return within(ms, `${count} notifications`, pull());
}

/** The rejection of `promise`, failing when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the promise to reject, but it resolved');
}

/** True when every id is greater than the one before. */
export function strictlyIncreasing(ids: readonly bigint[]): boolean {
  return ids.every((id, i) => i === 0 || id > (ids[i - 1] as bigint));
}
