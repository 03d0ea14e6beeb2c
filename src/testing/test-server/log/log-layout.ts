/**
 * How records are laid out in the test server's transaction log: where the first record sits and
 * how far each record advances the write position. A real node's positions are byte offsets in
 * its chunk files; reproducing that (strictly increasing, not contiguous) is what catches code
 * that treats positions as counters.
 *
 * @module
 */

/**
 * Fixed bytes of a v2 prepare log record: length prefix and suffix, record type and version,
 * log position, flags, transaction position and offset, expected version, event id,
 * correlation id, timestamp, and the data and metadata length fields.
 */
const PREPARE_RECORD_OVERHEAD = 88;

/**
 * Where the first record of a fresh log goes. A real node first writes its chunk header and
 * epoch records; the exact value is irrelevant, only that it is not 0.
 */
export const FIRST_RECORD_POSITION = 1_263;

/** Bytes used by an empty write (a prepare record with no event, as a real node writes). */
export const EMPTY_WRITE_RECORD_SIZE = 96;

/** The UTF-8 length of a string with a 7-bit-encoded length prefix, as .NET writes it. */
function prefixedStringSize(value: string): number {
  const bytes = Buffer.byteLength(value, 'utf8');
  return bytes + (bytes < 0x80 ? 1 : bytes < 0x4000 ? 2 : 3);
}

/** Bytes a record with these fields takes in the log. */
export function recordSize(
  streamId: string,
  eventType: string,
  dataLength: number,
  metadataLength: number,
): number {
  return (
    PREPARE_RECORD_OVERHEAD +
    prefixedStringSize(streamId) +
    prefixedStringSize(eventType) +
    dataLength +
    metadataLength
  );
}

/** .NET ticks (100 ns) since the Unix epoch for a millisecond timestamp. */
export function ticksFromMs(ms: number): bigint {
  return BigInt(ms) * 10_000n;
}
