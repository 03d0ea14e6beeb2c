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

function integerField(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** Parses metadata JSON the way a node does: anything unreadable counts as no metadata. */
export function parseStreamMetadata(record: LogRecord): StreamMetadata {
  const cached = parsed.get(record);
  if (cached !== undefined) return cached;
  let result: StreamMetadata = NO_METADATA;
  try {
    const json: unknown = JSON.parse(Buffer.from(record.data).toString('utf8'));
    if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
      const fields = json as Record<string, unknown>;
      const maxCount = integerField(fields.$maxCount);
      const maxAgeSeconds = integerField(fields.$maxAge);
      const truncateBefore = integerField(fields.$tb);
      result = {
        ...(maxCount !== undefined && maxCount > 0 ? { maxCount } : {}),
        ...(maxAgeSeconds !== undefined && maxAgeSeconds > 0 ? { maxAgeSeconds } : {}),
        ...(truncateBefore !== undefined && truncateBefore >= 0 ? { truncateBefore } : {}),
      };
    }
  } catch {
    result = NO_METADATA;
  }
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
