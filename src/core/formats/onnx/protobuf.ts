import { CheckpointError } from '../errors';

/** Protobuf wire types (the low three bits of a field key). */
export const WireType = {
  varint: 0,
  fixed64: 1,
  lengthDelimited: 2,
  startGroup: 3,
  endGroup: 4,
  fixed32: 5,
} as const;

/** Deepest message nesting accepted; ONNX graphs nest a few levels, subgraphs a few more. */
export const MAX_MESSAGE_DEPTH = 64;

const TWO_POW_32 = 2 ** 32;

/**
 * A bounds-checked reader of the protobuf wire format over one message's bytes. Every failure is
 * a `CheckpointError`: `truncated` when a length or value runs past the end of the message,
 * `corrupt` for malformed keys, varints, wire types or nesting deeper than
 * {@link MAX_MESSAGE_DEPTH}. Lengths are checked against the remaining bytes before anything is
 * allocated, so a corrupt length cannot trigger a large allocation.
 */
export class ProtoReader {
  private pos: number;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly end: number = bytes.length,
    start = 0,
    readonly depth = 0,
    readonly file?: string,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a field key and returns its field number and wire type. */
  readKey(): { field: number; wire: number } {
    const key = this.readVarint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0) this.fail('corrupt', 'field number 0 is invalid');
    return { field, wire };
  }

  /**
   * Reads a varint as an unsigned number. Values above 2^53 lose precision, which no length,
   * count or enum in an ONNX file reaches.
   */
  readVarint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated', 'varint runs past the end of the message');
      const byte = this.bytes[this.pos++];
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    return this.fail('corrupt', 'varint is longer than 10 bytes');
  }

  /** Reads an int64 varint with two's complement sign (10 bytes for negative values). */
  readInt64(): number {
    const start = this.pos;
    const unsigned = this.readVarint();
    if (this.pos - start < 10) return unsigned;
    // A 10-byte varint is a negative int64: re-read it exactly as a 64-bit pattern.
    let value = 0n;
    for (let i = 0; i < 10; i++) value |= BigInt(this.bytes[start + i] & 0x7f) << BigInt(7 * i);
    return Number(BigInt.asIntN(64, value));
  }

  /** Reads an int32 varint; negative values are sign-extended to 64 bits on the wire. */
  readInt32(): number {
    const value = this.readInt64();
    return value | 0;
  }

  readFixed32(): number {
    this.need(4, 'fixed32 value');
    const value = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return value;
  }

  readFloat(): number {
    this.need(4, 'float value');
    const value = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return value;
  }

  readDouble(): number {
    this.need(8, 'double value');
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  readFixed64(): number {
    this.need(8, 'fixed64 value');
    const low = this.view.getUint32(this.pos, true);
    const high = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return high * TWO_POW_32 + low;
  }

  /** Reads a length-delimited field and returns a view of its bytes (no copy). */
  readBytes(): Uint8Array {
    const length = this.readLength();
    const slice = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return slice;
  }

  readString(): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(this.readBytes());
  }

  /** Decodes a nested message with `decode`, one level deeper. */
  readMessage<T>(decode: (reader: ProtoReader) => T): T {
    if (this.depth + 1 > MAX_MESSAGE_DEPTH) {
      this.fail('corrupt', `messages nest deeper than ${MAX_MESSAGE_DEPTH} levels`);
    }
    const length = this.readLength();
    const child = new ProtoReader(
      this.bytes,
      this.pos + length,
      this.pos,
      this.depth + 1,
      this.file,
    );
    this.pos += length;
    return decode(child);
  }

  /** Reads a repeated varint field, packed (wire type 2) or not (wire type 0), into `out`. */
  readRepeatedVarint(wire: number, out: number[]): void {
    if (wire === WireType.varint) {
      out.push(this.readInt64());
      return;
    }
    this.expectWire(wire, WireType.lengthDelimited, 'packed varints');
    const length = this.readLength();
    const stop = this.pos + length;
    // Read within the packed run only, so a bad final varint cannot run into the next field.
    const inner = new ProtoReader(this.bytes, stop, this.pos, this.depth, this.file);
    while (!inner.atEnd()) out.push(inner.readInt64());
    this.pos = stop;
  }

  /** Reads a repeated fixed-width field (4 or 8 bytes per value), packed or not, into `out`. */
  readRepeatedFixed(wire: number, width: 4 | 8, out: number[]): void {
    const readOne = width === 4 ? () => this.readFloat() : () => this.readDouble();
    if (wire === (width === 4 ? WireType.fixed32 : WireType.fixed64)) {
      out.push(readOne());
      return;
    }
    this.expectWire(wire, WireType.lengthDelimited, 'packed fixed-width values');
    const length = this.readLength();
    if (length % width !== 0) {
      this.fail('corrupt', `packed ${width}-byte values have a length of ${length} bytes`);
    }
    for (let offset = 0; offset < length; offset += width) {
      const at = this.pos + offset;
      out.push(width === 4 ? this.view.getFloat32(at, true) : this.view.getFloat64(at, true));
    }
    this.pos += length;
  }

  /** Skips one field's value of the given wire type. */
  skip(wire: number): void {
    switch (wire) {
      case WireType.varint:
        this.readVarint();
        return;
      case WireType.fixed64:
        this.need(8, 'fixed64 value');
        this.pos += 8;
        return;
      case WireType.lengthDelimited:
        this.pos += this.readLength();
        return;
      case WireType.fixed32:
        this.need(4, 'fixed32 value');
        this.pos += 4;
        return;
      default:
        this.fail(
          'corrupt',
          `wire type ${wire} is invalid or unsupported (groups are not used by ONNX)`,
        );
    }
  }

  expectWire(actual: number, expected: number, description: string): void {
    if (actual !== expected) {
      this.fail('corrupt', `${description} has wire type ${actual}, expected ${expected}`);
    }
  }

  fail(code: 'truncated' | 'corrupt', message: string): never {
    throw new CheckpointError(code, `invalid protobuf at byte ${this.pos}: ${message}`, this.file);
  }

  private readLength(): number {
    const length = this.readVarint();
    if (length > this.end - this.pos) {
      this.fail('truncated', `a length of ${length} bytes runs past the end of the message`);
    }
    return length;
  }

  private need(count: number, description: string): void {
    if (this.end - this.pos < count)
      this.fail('truncated', `${description} runs past the end of the message`);
  }
}

/** Calls `handle` for every field of the reader's message, in wire order. */
export function forEachField(
  reader: ProtoReader,
  handle: (field: number, wire: number) => boolean,
): void {
  while (!reader.atEnd()) {
    const { field, wire } = reader.readKey();
    if (!handle(field, wire)) reader.skip(wire);
  }
}
