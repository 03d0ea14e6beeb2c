/**
 * A minimal protobuf binary reader, used to decode the hot write requests without building
 * google-protobuf message objects. Unknown fields are skipped, as protobuf requires; malformed
 * input throws {@link ProtoDecodeError}.
 *
 * @module
 */

/** The bytes are not a valid protobuf encoding. */
export class ProtoDecodeError extends Error {
  override readonly name = 'ProtoDecodeError';
}

const utf8 = new TextDecoder('utf-8');

/** Sequential reader over one encoded message. */
export class ProtoReader {
  private offset: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.offset = start;
  }

  /** True while fields remain. */
  get more(): boolean {
    return this.offset < this.end;
  }

  /** Reads a varint as a number (exact up to 2^53). */
  varint(): number {
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.end) throw new ProtoDecodeError('truncated varint');
      const byte = this.bytes[this.offset++] as number;
      result += (byte & 0x7f) * multiplier;
      if (byte < 0x80) return result;
      multiplier *= 128;
    }
    throw new ProtoDecodeError('varint too long');
  }

  /** Reads a varint as an unsigned 64-bit bigint. */
  varintBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.end) throw new ProtoDecodeError('truncated varint');
      const byte = this.bytes[this.offset++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtoDecodeError('varint too long');
  }

  /** Reads a field tag: `[fieldNumber, wireType]`. */
  tag(): [number, number] {
    const tag = this.varint();
    return [Math.floor(tag / 8), tag & 7];
  }

  /** Reads a length-delimited field's bounds: `[start, end]`. */
  private span(): [number, number] {
    const length = this.varint();
    const start = this.offset;
    const end = start + length;
    if (end > this.end) throw new ProtoDecodeError('truncated length-delimited field');
    this.offset = end;
    return [start, end];
  }

  /** Reads a `bytes` field (a view into the input, not a copy). */
  bytesField(): Uint8Array {
    const [start, end] = this.span();
    return this.bytes.subarray(start, end);
  }

  /** Reads a `string` field. */
  stringField(): string {
    const [start, end] = this.span();
    return utf8.decode(this.bytes.subarray(start, end));
  }

  /** A reader over an embedded message. */
  messageField(): ProtoReader {
    const [start, end] = this.span();
    return new ProtoReader(this.bytes, start, end);
  }

  /** Skips a field of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.advance(8);
        return;
      case 2:
        this.span();
        return;
      case 5:
        this.advance(4);
        return;
      default:
        throw new ProtoDecodeError(`unsupported wire type ${wireType}`);
    }
  }

  private advance(count: number): void {
    if (this.offset + count > this.end) throw new ProtoDecodeError('truncated fixed field');
    this.offset += count;
  }
}
