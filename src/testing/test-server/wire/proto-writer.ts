/**
 * A minimal protobuf binary writer for the test server's responses. Responses are encoded by
 * hand (rather than through google-protobuf message objects) so that hot paths can cache the
 * encoded bytes of a recorded event and send them to many readers and subscribers.
 *
 * Callers decide which fields to write: proto3 scalar defaults are not skipped here, which is
 * what a `oneof` member with a zero value needs.
 *
 * @module
 */

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

/** Growable buffer that writes protobuf fields. */
export class ProtoWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(initialCapacity = 128) {
    this.buffer = Buffer.allocUnsafe(initialCapacity);
  }

  private ensure(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = Buffer.allocUnsafe(capacity);
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }

  /** Writes a raw varint of a non-negative safe integer. */
  varint(value: number): this {
    this.ensure(10);
    let v = value;
    while (v >= 0x80) {
      // Split into low 7 bits without 32-bit overflow for values above 2^31.
      this.buffer[this.length++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buffer[this.length++] = v;
    return this;
  }

  /** Writes a raw varint of a non-negative bigint below 2^64. */
  varintBig(value: bigint): this {
    this.ensure(10);
    let v = value;
    while (v >= 0x80n) {
      this.buffer[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buffer[this.length++] = Number(v);
    return this;
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** Writes a uint64/uint32/enum/bool field given as a safe integer. */
  uint(field: number, value: number): this {
    this.tag(field, WIRE_VARINT);
    return this.varint(value);
  }

  /** Writes a uint64 field given as a bigint (for values above 2^53). */
  uintBig(field: number, value: bigint): this {
    this.tag(field, WIRE_VARINT);
    return this.varintBig(value);
  }

  /** Writes an int64 field (two's complement for negatives). */
  int64(field: number, value: number): this {
    if (value >= 0) return this.uint(field, value);
    return this.uintBig(field, BigInt.asUintN(64, BigInt(value)));
  }

  /** Writes a bool field. */
  bool(field: number, value: boolean): this {
    return this.uint(field, value ? 1 : 0);
  }

  /** Writes a length-delimited field from raw bytes (bytes or an encoded sub-message). */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(value.length);
    this.ensure(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
    return this;
  }

  /** Writes a string field as UTF-8. */
  string(field: number, value: string): this {
    const size = Buffer.byteLength(value, 'utf8');
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(size);
    this.ensure(size);
    this.length += this.buffer.write(value, this.length, size, 'utf8');
    return this;
  }

  /** Writes an empty sub-message (e.g. `event_store.client.Empty`). */
  empty(field: number): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    return this.varint(0);
  }

  /** Writes a sub-message built by `build` into this writer. */
  message(field: number, build: (writer: ProtoWriter) => void): this {
    const inner = new ProtoWriter(64);
    build(inner);
    return this.bytes(field, inner.view());
  }

  /** The written bytes, sharing this writer's memory (valid until the next write). */
  view(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  /** A copy of the written bytes, safe to keep. */
  finish(): Buffer {
    return Buffer.from(this.view());
  }
}
