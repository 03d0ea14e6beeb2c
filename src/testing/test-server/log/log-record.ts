/**
 * The unit of the test server's transaction log: one committed event record.
 *
 * Like a real KurrentDB node with implicit commits, every event record has
 * `commit == prepare == position`, its own byte offset in the log.
 *
 * @module
 */

/**
 * Internal revision of a tombstone record. On the wire it is `long.MaxValue` (2^63-1); inside the
 * server `Infinity` keeps numeric comparisons simple.
 */
export const TOMBSTONE_REVISION = Number.POSITIVE_INFINITY;

/** Wire form of {@link TOMBSTONE_REVISION}. */
export const TOMBSTONE_REVISION_WIRE = 9_223_372_036_854_775_807n;

/** Event type of a tombstone record. */
export const STREAM_DELETED_EVENT_TYPE = '$streamDeleted';

/** Event type of a stream metadata record. */
export const METADATA_EVENT_TYPE = '$metadata';

/** Event type of a link record. */
export const LINK_EVENT_TYPE = '$>';

/** One committed event, as stored. */
export interface LogRecord {
  /** Log position: both the commit and the prepare position. */
  readonly position: number;
  /** Position right after this record (its post-position). */
  readonly endPosition: number;
  readonly streamId: string;
  /** 0-based revision in its stream, or {@link TOMBSTONE_REVISION}. */
  readonly revision: number;
  /** Event id, a lowercase canonical UUID string. */
  readonly eventId: string;
  readonly eventType: string;
  /** The `content-type` metadata value, echoed back exactly. */
  readonly contentType: string;
  /** Creation time in .NET ticks (100 ns) since the Unix epoch. */
  readonly createdTicks: bigint;
  /** Creation time in milliseconds since the Unix epoch (for `$maxAge`). */
  readonly createdMs: number;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
  /** Cached protobuf encoding of this record as a `RecordedEvent` (string id). */
  encoded?: Buffer;
  /** Cached `ReadResp` carrying this record unresolved, with its own position. */
  encodedResponse?: Buffer;
}

/** The wire form of a revision (uint64). */
export function revisionToWire(revision: number): bigint {
  return revision === TOMBSTONE_REVISION ? TOMBSTONE_REVISION_WIRE : BigInt(revision);
}
