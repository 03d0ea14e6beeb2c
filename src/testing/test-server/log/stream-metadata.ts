/**
 * Stream metadata as a real node applies it: the latest JSON event of `$$<stream>` holds
 * `$maxCount`, `$maxAge` (seconds) and `$tb` (truncate before), which hide events from stream
 * reads and stream subscriptions (never from $all). Metastreams themselves carry an implicit
 * `$maxCount: 1`.
 *
 * @module
 */
import type { EventLog, StreamEntry } from './event-log.js';
import type { LogRecord } from './log-record.js';

/** The parts of stream metadata that affect visibility. */
export interface StreamMetadata {
  readonly maxCount?: number;
  readonly maxAgeSeconds?: number;
  readonly truncateBefore?: number;
}

/** `$tb` value a soft delete writes (`long.MaxValue`). As a JS number it is 2^63. */
export const DELETED_STREAM_TB = 2 ** 63;

/** The JSON a soft delete writes into the metastream. */
export const SOFT_DELETE_METADATA_JSON = '{"$tb":9223372036854775807}';

const NO_METADATA: StreamMetadata = {};
const METASTREAM_METADATA: StreamMetadata = { maxCount: 1 };
const parsed = new WeakMap<LogRecord, StreamMetadata>();

/** True for a metastream name (`$$x`). */
export function isMetastream(name: string): boolean {
  return name.startsWith('$$');
}

/** `$$x` for `x`. */
export function metastreamOf(name: string): string {
  return `$$${name}`;
}

/** `x` for `$$x`. */
export function originalStreamOf(metastream: string): string {
  return metastream.slice(2);
}

/** Largest whole number of seconds a .NET `TimeSpan` holds. */
const MAX_TIMESPAN_SECONDS = 922_337_203_685;

const ACL_KEYS = new Set(['$r', '$w', '$d', '$mr', '$mw']);

class InvalidMetadata extends Error {}

function integer(value: unknown, maxMagnitude = Number.POSITIVE_INFINITY): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > maxMagnitude) {
    throw new InvalidMetadata();
  }
  return value;
}

function checkAcl(value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidMetadata();
  for (const [key, roles] of Object.entries(value)) {
    if (!ACL_KEYS.has(key)) throw new InvalidMetadata();
    const ok =
      typeof roles === 'string' ||
      (Array.isArray(roles) && roles.every((role) => typeof role === 'string'));
    if (!ok) throw new InvalidMetadata();
  }
}

/**
 * Reads metadata the way a node does (`StreamMetadata.TryFromJsonBytes`): only a JSON event
 * counts, and a known key of the wrong type (or a malformed `$acl`) voids the whole metadata.
 * Non-positive `$maxCount`/`$maxAge` and negative `$tb` are ignored.
 */
function readMetadata(record: LogRecord): StreamMetadata {
  if (record.contentType !== 'application/json' || record.data.length === 0) return NO_METADATA;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(record.data).toString('utf8'));
  } catch {
    return NO_METADATA;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return NO_METADATA;
  let maxCount: number | undefined;
  let maxAgeSeconds: number | undefined;
  let truncateBefore: number | undefined;
  try {
    for (const [key, value] of Object.entries(json)) {
      if (key === '$maxCount') maxCount = integer(value);
      else if (key === '$maxAge') maxAgeSeconds = integer(value, MAX_TIMESPAN_SECONDS);
      else if (key === '$tb') truncateBefore = integer(value);
      else if (key === '$cacheControl') integer(value, MAX_TIMESPAN_SECONDS);
      else if (key === '$tempStream' && typeof value !== 'boolean') throw new InvalidMetadata();
      else if (key === '$acl') checkAcl(value);
    }
  } catch (error) {
    if (error instanceof InvalidMetadata) return NO_METADATA;
    throw error;
  }
  return {
    ...(maxCount !== undefined && maxCount > 0 ? { maxCount } : {}),
    ...(maxAgeSeconds !== undefined && maxAgeSeconds > 0 ? { maxAgeSeconds } : {}),
    ...(truncateBefore !== undefined && truncateBefore >= 0 ? { truncateBefore } : {}),
  };
}

/** Parses (and caches) the metadata a metastream record carries. */
export function parseStreamMetadata(record: LogRecord): StreamMetadata {
  const cached = parsed.get(record);
  if (cached !== undefined) return cached;
  const result = readMetadata(record);
  parsed.set(record, result);
  return result;
}

/** The latest metadata record of `stream` (the last event of its metastream), if any. */
export function latestMetadataRecord(log: EventLog, stream: string): LogRecord | undefined {
  const meta = log.stream(metastreamOf(stream));
  if (meta === undefined || meta.lastRevision < 0) return undefined;
  return meta.records[meta.lastRevision];
}

/** The effective metadata of a stream. */
export function streamMetadata(log: EventLog, stream: string): StreamMetadata {
  if (isMetastream(stream)) return METASTREAM_METADATA;
  const record = latestMetadataRecord(log, stream);
  return record === undefined ? NO_METADATA : parseStreamMetadata(record);
}

/** True when the stream's `$tb` is the soft-delete marker. */
export function isSoftDeleted(log: EventLog, stream: string): boolean {
  return streamMetadata(log, stream).truncateBefore === DELETED_STREAM_TB;
}

/**
 * The lowest revision a stream read may return: the larger of `$tb` and
 * `last - $maxCount + 1`. `$maxAge` is applied per event by {@link isExpired}.
 */
export function firstVisibleRevision(entry: StreamEntry, metadata: StreamMetadata): number {
  let first = 0;
  if (metadata.truncateBefore !== undefined) first = Math.max(first, metadata.truncateBefore);
  if (metadata.maxCount !== undefined) {
    first = Math.max(first, entry.lastRevision - metadata.maxCount + 1);
  }
  return first;
}

/** True when `$maxAge` hides this record at time `nowMs`. */
export function isExpired(record: LogRecord, metadata: StreamMetadata, nowMs: number): boolean {
  return (
    metadata.maxAgeSeconds !== undefined && record.createdMs < nowMs - metadata.maxAgeSeconds * 1000
  );
}
