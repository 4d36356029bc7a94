/*
 * A small protobuf writer for ONNX ModelProto bytes, so tests can build graphs without the onnx
 * Python package. Field numbers follow onnx.proto.
 */

class Writer {
  private readonly chunks: number[] = [];

  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      this.chunks.push(byte);
    } while (v !== 0n);
    return this;
  }

  key(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  int(field: number, value: number): this {
    return this.key(field, 0).varint(value);
  }

  bytes(field: number, data: Uint8Array): this {
    this.key(field, 2).varint(data.length);
    for (const byte of data) this.chunks.push(byte);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytes(field, new TextEncoder().encode(text));
  }

  message(field: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  float(field: number, value: number): this {
    const buffer = new DataView(new ArrayBuffer(4));
    buffer.setFloat32(0, value, true);
    this.key(field, 5);
    for (let i = 0; i < 4; i++) this.chunks.push(buffer.getUint8(i));
    return this;
  }

  packedInts(field: number, values: readonly number[]): this {
    const inner = new Writer();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

export interface TensorSpec {
  name: string;
  dims: number[];
  /** Float32 values (data type 1), or int64 values with `int64: true` (data type 7). */
  values: readonly number[];
  int64?: boolean;
  /** Stores float values in float_data instead of raw_data. */
  typed?: boolean;
  /** Marks the data as kept in this external file (data_location EXTERNAL) and stores none. */
  external?: string;
}

export type AttributeValue =
  number | number[] | string | TensorSpec | { float: number } | { floats: number[] };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attributes?: Record<string, AttributeValue>;
}

export interface ValueSpec {
  name: string;
  dims: (number | string)[];
  /** ONNX element type; 1 (float) by default. */
  elemType?: number;
}

export interface ModelSpec {
  opset?: number;
  nodes: NodeSpec[];
  initializers?: TensorSpec[];
  inputs: ValueSpec[];
  outputs: ValueSpec[];
}

function writeTensor(w: Writer, tensor: TensorSpec): void {
  w.packedInts(1, tensor.dims);
  w.int(2, tensor.int64 ? 7 : 1);
  w.string(8, tensor.name);
  if (tensor.external !== undefined) {
    const location = tensor.external;
    w.message(13, (entry) => entry.string(1, 'location').string(2, location));
    w.int(14, 1);
    return;
  }
  if (tensor.int64) {
    w.packedInts(7, tensor.values);
    return;
  }
  if (tensor.typed) {
    const raw = new Uint8Array(Float32Array.from(tensor.values).buffer);
    w.bytes(4, raw);
    return;
  }
  w.bytes(9, new Uint8Array(Float32Array.from(tensor.values).buffer));
}

function writeAttribute(w: Writer, name: string, value: AttributeValue): void {
  w.string(1, name);
  if (typeof value === 'number') w.int(3, value).int(20, 2);
  else if (typeof value === 'string') w.string(4, value).int(20, 3);
  else if (Array.isArray(value)) w.packedInts(8, value).int(20, 7);
  else if ('float' in value) w.float(2, value.float).int(20, 1);
  else if ('floats' in value) {
    for (const f of value.floats) w.float(7, f);
    w.int(20, 6);
  } else w.message(5, (t) => writeTensor(t, value)).int(20, 4);
}

function writeValueInfo(w: Writer, value: ValueSpec): void {
  w.string(1, value.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, value.elemType ?? 1);
      tensor.message(2, (shape) => {
        for (const dim of value.dims) {
          shape.message(1, (d) => (typeof dim === 'number' ? d.int(1, dim) : d.string(2, dim)));
        }
      });
    }),
  );
}

/** Encodes a ModelProto (IR version 8) with one graph. */
export function encodeModel(spec: ModelSpec): Uint8Array {
  const w = new Writer();
  w.int(1, 8);
  w.string(2, 'test-encoder');
  w.message(7, (graph) => {
    spec.nodes.forEach((node, index) => {
      graph.message(1, (n) => {
        for (const input of node.inputs) n.string(1, input);
        for (const output of node.outputs) n.string(2, output);
        n.string(3, node.name ?? `${node.op.toLowerCase()}_${index}`);
        n.string(4, node.op);
        for (const [name, value] of Object.entries(node.attributes ?? {}))
          n.message(5, (a) => writeAttribute(a, name, value));
        if (node.domain !== undefined) n.string(7, node.domain);
      });
    });
    graph.string(2, 'test');
    for (const tensor of spec.initializers ?? []) graph.message(5, (t) => writeTensor(t, tensor));
    for (const input of spec.inputs) graph.message(11, (v) => writeValueInfo(v, input));
    for (const output of spec.outputs) graph.message(12, (v) => writeValueInfo(v, output));
  });
  w.message(8, (opset) => opset.string(1, '').int(2, spec.opset ?? 13));
  return w.finish();
}

/** Raw protobuf pieces, for tests of the wire-format reader. */
export const wire = {
  varint: (value: number | bigint) => new Writer().varint(value).finish(),
  field: (field: number, wireType: number, payload: Uint8Array) => {
    const w = new Writer().key(field, wireType);
    if (wireType === 2) w.varint(payload.length);
    return Uint8Array.from([...w.finish(), ...payload]);
  },
};
