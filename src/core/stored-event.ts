/**
 * What the recorders store and return.
 *
 * @module
 */

/** JSON-compatible metadata stored beside an event. */
export type EventMetadata = Readonly<Record<string, unknown>>;

/**
 * A domain event as stored: the unit the recorders write and read.
 *
 * In KurrentDB the originator id is the stream name, the originator version the stream revision
 * (0-based), the topic the event type, the state the event data, and the event id the KurrentDB
 * event id (kept, so a retried append is idempotent).
 */
export interface StoredEvent {
  /** The aggregate (stream) this event belongs to. */
  readonly originatorId: string;
  /** 0-based position of the event in its aggregate's sequence (= KurrentDB stream revision). */
  readonly originatorVersion: number;
  /** The event's type name (= KurrentDB event type). */
  readonly topic: string;
  /** The encoded event payload. */
  readonly state: Uint8Array;
  /** JSON-compatible metadata (correlation ids, user ids, ...). @defaultValue `{}` */
  readonly metadata: EventMetadata;
  /** A UUID identifying this event; the same id on a retry makes the write idempotent. */
  readonly eventId: string;
}

/** A stored event together with its position in the application's total order. */
export interface Notification extends StoredEvent {
  /**
   * Position in the total order of all events. Strictly increasing; in KurrentDB the `$all`
   * commit position (large and sparse), in memory 1, 2, 3, ...
   */
  readonly id: bigint;
}
