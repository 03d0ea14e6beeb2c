/** Writing and draining a backlog of `Dog` events, for `projection-bench.ts` and its heap child. */
import { randomUUID } from 'node:crypto';
import {
  eventTypeFilter,
  type KurrentDBClient,
  type Position,
  START,
} from '@kurrent/kurrentdb-client';
import { Dog } from '../../machines/dog.js';
import type { ApplicationRecorder } from '../../src/core/application-recorder.js';
import type { StoredEvent } from '../../src/core/stored-event.js';

/** The topics the bench projection subscribes to. */
export const DOG_TOPICS = ['Dog.Registered', 'Dog.TrickAdded'] as const;

/** A backlog: `dogs` streams of `eventsPerDog` events (one `Registered`, then `TrickAdded`s). */
export interface Backlog {
  readonly dogs: number;
  readonly eventsPerDog: number;
  /** The last notification id before the backlog (the projection starts after it). */
  readonly after: bigint;
  /** The last notification id of the backlog. */
  readonly last: bigint;
}

/** A backlog as passed on a command line: JSON with the ids as strings. */
export function encodeBacklog(backlog: Backlog): string {
  return JSON.stringify({ ...backlog, after: String(backlog.after), last: String(backlog.last) });
}

export function decodeBacklog(text: string): Backlog {
  const b = JSON.parse(text) as { after: string; last: string; dogs: number; eventsPerDog: number };
  return { ...b, after: BigInt(b.after), last: BigInt(b.last) };
}

export const backlogEvents = (b: Pick<Backlog, 'dogs' | 'eventsPerDog'>): number =>
  b.dogs * b.eventsPerDog;

const encoder = new TextEncoder();
const METADATA = { schemaVersion: 1 };

function dogEvents(id: string, count: number): StoredEvent[] {
  const originatorId = Dog.streamName(id);
  return Array.from({ length: count }, (_, version) => ({
    originatorId,
    originatorVersion: version,
    topic: version === 0 ? 'Dog.Registered' : 'Dog.TrickAdded',
    state: encoder.encode(
      version === 0 ? JSON.stringify({ name: id }) : JSON.stringify({ trick: `trick ${version}` }),
    ),
    metadata: { ...METADATA },
    eventId: randomUUID(),
  }));
}

/**
 * Writes `dogs` × `eventsPerDog` events, one `insertEvents` call per dog, `inFlight` calls at a
 * time; resolves with the backlog's bounds.
 */
export async function writeBacklog(
  recorder: ApplicationRecorder,
  dogs: number,
  eventsPerDog: number,
  inFlight = 8,
): Promise<Backlog> {
  const after = await recorder.maxNotificationId();
  const run = randomUUID().slice(0, 8);
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < dogs) {
        const n = next++;
        await recorder.insertEvents(dogEvents(`bench-${run}-${n}`, eventsPerDog));
      }
    }),
  );
  const last = await recorder.maxNotificationId();
  return { dogs, eventsPerDog, after, last };
}

/** A position of `$all` from a notification id (its commit position). */
export function positionOf(id: bigint): Position | typeof START {
  return id === 0n ? START : { commit: id, prepare: id };
}

const decoder = new TextDecoder();

/**
 * What a user would write with the raw client: a filtered catch-up subscription to `$all` after
 * the backlog's start, counting the events and parsing their JSON data, stopped at the backlog's
 * last position. Resolves with the number of events seen.
 */
export async function rawDrain(client: KurrentDBClient, backlog: Backlog): Promise<number> {
  const subscription = client.subscribeToAll({
    fromPosition: positionOf(backlog.after),
    filter: eventTypeFilter({ prefixes: [...DOG_TOPICS] }),
  });
  let count = 0;
  let names = 0;
  for await (const resolved of subscription) {
    const event = resolved.event;
    if (event === undefined) continue;
    const data = JSON.parse(decoder.decode(event.data as Uint8Array)) as { name?: string };
    if (data.name !== undefined) names++;
    count++;
    if ((event.position?.commit ?? 0n) >= backlog.last) break;
  }
  // Not awaited, like the recorder's own clean-up after stop().
  subscription.unsubscribe().catch(() => undefined);
  if (count !== backlogEvents(backlog) || names !== backlog.dogs) {
    throw new Error(
      `raw drain saw ${count} events (${names} dogs), expected ${backlogEvents(backlog)}`,
    );
  }
  return count;
}
