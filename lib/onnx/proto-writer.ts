/**
 * Protobuf wire encoding for the ONNX writer: just the field kinds an ONNX model uses (varints, fixed32
 * floats, strings, bytes and nested messages), written append-only.
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

/**
 * Append-only protobuf encoder. Nested messages are kept as chunk lists and joined once in `finish()`,
 * so a large weight buffer is copied a single time however deeply it is nested.
 */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private pending: number[] = [];
  /** Bytes written so far. */
  length = 0;

  /** A varint; negative values take the 10-byte two's-complement form protobuf uses for int64. */
  varint(value: number | bigint): this {
    if (typeof value === "number" && value >= 0 && Number.isSafeInteger(value)) {
      let v = value;
      while (v > 0x7f) {
        this.push((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
      }
      this.push(v);
      return this;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.push(Number(v));
    return this;
  }

  /** A field key: field number and wire type. */
  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  /** An integer (varint) field. */
  int(field: number, value: number | bigint): this {
    return this.tag(field, WIRE_VARINT).varint(value);
  }

  /** A 32-bit float (fixed32, little-endian) field. */
  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    for (const b of bytes) this.push(b);
    return this;
  }

  /** A UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** A length-delimited field; `value` is referenced, not copied, until `finish()`. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LEN).varint(value.length);
    this.flush();
    if (value.length > 0) this.chunks.push(value);
    this.length += value.length;
    return this;
  }

  /** A nested message; its chunks are taken over, not copied. */
  message(field: number, inner: ProtoWriter): this {
    this.tag(field, WIRE_LEN).varint(inner.length);
    this.flush();
    inner.flush();
    for (const chunk of inner.chunks) this.chunks.push(chunk);
    this.length += inner.length;
    return this;
  }

  /** Bytes that are already encoded (whole fields, tag included), referenced until `finish()`. */
  raw(encoded: Uint8Array): this {
    this.flush();
    if (encoded.length > 0) this.chunks.push(encoded);
    this.length += encoded.length;
    return this;
  }

  /** Joins everything written into one buffer. */
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private push(byte: number): void {
    this.pending.push(byte);
    this.length++;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.chunks.push(Uint8Array.from(this.pending));
    this.pending = [];
  }
}
