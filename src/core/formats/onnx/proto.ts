import { forEachField, ProtoReader, WireType } from './protobuf';

/*
 * The subset of the ONNX protobuf schema (onnx/onnx.proto, IR version 3 to 10) that loading a
 * model needs. Field numbers are those of the schema; unknown fields are skipped.
 */

export interface OperatorSetId {
  domain: string;
  version: number;
}

export interface ModelProto {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  opsetImport: OperatorSetId[];
  graph?: GraphProto;
  /** Number of local functions; models that define functions are rejected later. */
  functionCount: number;
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  sparseInitializerCount: number;
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  valueInfo: ValueInfoProto[];
}

export interface NodeProto {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: AttributeProto[];
}

/** AttributeProto.AttributeType. */
export const AttributeType = {
  undefined: 0,
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  graph: 5,
  floats: 6,
  ints: 7,
  strings: 8,
  tensors: 9,
  graphs: 10,
} as const;

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  /** Whether a subgraph (`g` or `graphs`) was present; subgraphs are not decoded. */
  hasGraph: boolean;
  floats: number[];
  ints: number[];
  strings: Uint8Array[];
  refAttrName: string;
}

export interface TensorProto {
  name: string;
  dims: number[];
  dataType: number;
  floatData: number[];
  int32Data: number[];
  int64Data: number[];
  uint64Data: number[];
  doubleData: number[];
  stringDataCount: number;
  rawData?: Uint8Array;
  /** 1 (EXTERNAL) when the values live in a separate file. */
  dataLocation: number;
  externalData: { key: string; value: string }[];
  hasSegment: boolean;
}

/** One axis of a tensor type: a fixed size, a symbolic name, or unknown. */
export type Dimension = number | string | undefined;

export interface ValueInfoProto {
  name: string;
  /** Element type of a tensor type, or undefined for sequences, maps and missing types. */
  elemType?: number;
  /** Dimensions of a tensor type; undefined when the shape is absent (unknown rank). */
  shape?: Dimension[];
}

export function decodeModel(bytes: Uint8Array, file?: string): ModelProto {
  const reader = new ProtoReader(bytes, bytes.length, 0, 0, file);
  const model: ModelProto = {
    irVersion: 0,
    producerName: '',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    opsetImport: [],
    functionCount: 0,
  };
  forEachField(reader, (field, wire) => {
    if (field === 1 && wire === WireType.varint) model.irVersion = reader.readInt64();
    else if (field === 2 && wire === WireType.lengthDelimited)
      model.producerName = reader.readString();
    else if (field === 3 && wire === WireType.lengthDelimited)
      model.producerVersion = reader.readString();
    else if (field === 4 && wire === WireType.lengthDelimited) model.domain = reader.readString();
    else if (field === 5 && wire === WireType.varint) model.modelVersion = reader.readInt64();
    else if (field === 7 && wire === WireType.lengthDelimited)
      model.graph = reader.readMessage(decodeGraph);
    else if (field === 8 && wire === WireType.lengthDelimited) {
      model.opsetImport.push(reader.readMessage(decodeOperatorSetId));
    } else if (field === 25 && wire === WireType.lengthDelimited) {
      reader.skip(wire);
      model.functionCount++;
    } else return false;
    return true;
  });
  return model;
}

function decodeOperatorSetId(reader: ProtoReader): OperatorSetId {
  const opset: OperatorSetId = { domain: '', version: 0 };
  forEachField(reader, (field, wire) => {
    if (field === 1 && wire === WireType.lengthDelimited) opset.domain = reader.readString();
    else if (field === 2 && wire === WireType.varint) opset.version = reader.readInt64();
    else return false;
    return true;
  });
  return opset;
}

export function decodeGraph(reader: ProtoReader): GraphProto {
  const graph: GraphProto = {
    name: '',
    node: [],
    initializer: [],
    sparseInitializerCount: 0,
    input: [],
    output: [],
    valueInfo: [],
  };
  forEachField(reader, (field, wire) => {
    if (wire !== WireType.lengthDelimited) return false;
    if (field === 1) graph.node.push(reader.readMessage(decodeNode));
    else if (field === 2) graph.name = reader.readString();
    else if (field === 5) graph.initializer.push(reader.readMessage(decodeTensor));
    else if (field === 11) graph.input.push(reader.readMessage(decodeValueInfo));
    else if (field === 12) graph.output.push(reader.readMessage(decodeValueInfo));
    else if (field === 13) graph.valueInfo.push(reader.readMessage(decodeValueInfo));
    else if (field === 15) {
      reader.skip(wire);
      graph.sparseInitializerCount++;
    } else return false;
    return true;
  });
  return graph;
}

function decodeNode(reader: ProtoReader): NodeProto {
  const node: NodeProto = {
    input: [],
    output: [],
    name: '',
    opType: '',
    domain: '',
    attribute: [],
  };
  forEachField(reader, (field, wire) => {
    if (wire !== WireType.lengthDelimited) return false;
    if (field === 1) node.input.push(reader.readString());
    else if (field === 2) node.output.push(reader.readString());
    else if (field === 3) node.name = reader.readString();
    else if (field === 4) node.opType = reader.readString();
    else if (field === 5) node.attribute.push(reader.readMessage(decodeAttribute));
    else if (field === 7) node.domain = reader.readString();
    else return false;
    return true;
  });
  return node;
}

function decodeAttribute(reader: ProtoReader): AttributeProto {
  const attribute: AttributeProto = {
    name: '',
    type: AttributeType.undefined,
    hasGraph: false,
    floats: [],
    ints: [],
    strings: [],
    refAttrName: '',
  };
  forEachField(reader, (field, wire) => {
    if (field === 1 && wire === WireType.lengthDelimited) attribute.name = reader.readString();
    else if (field === 2 && wire === WireType.fixed32) attribute.f = reader.readFloat();
    else if (field === 3 && wire === WireType.varint) attribute.i = reader.readInt64();
    else if (field === 4 && wire === WireType.lengthDelimited) attribute.s = reader.readBytes();
    else if (field === 5 && wire === WireType.lengthDelimited)
      attribute.t = reader.readMessage(decodeTensor);
    else if ((field === 6 || field === 11) && wire === WireType.lengthDelimited) {
      reader.skip(wire);
      attribute.hasGraph = true;
    } else if (field === 7) reader.readRepeatedFixed(wire, 4, attribute.floats);
    else if (field === 8) reader.readRepeatedVarint(wire, attribute.ints);
    else if (field === 9 && wire === WireType.lengthDelimited)
      attribute.strings.push(reader.readBytes());
    else if (field === 20 && wire === WireType.varint) attribute.type = reader.readInt32();
    else if (field === 21 && wire === WireType.lengthDelimited)
      attribute.refAttrName = reader.readString();
    else return false;
    return true;
  });
  return attribute;
}

export function decodeTensor(reader: ProtoReader): TensorProto {
  const tensor: TensorProto = {
    name: '',
    dims: [],
    dataType: 0,
    floatData: [],
    int32Data: [],
    int64Data: [],
    uint64Data: [],
    doubleData: [],
    stringDataCount: 0,
    dataLocation: 0,
    externalData: [],
    hasSegment: false,
  };
  forEachField(reader, (field, wire) => {
    if (field === 1) reader.readRepeatedVarint(wire, tensor.dims);
    else if (field === 2 && wire === WireType.varint) tensor.dataType = reader.readInt32();
    else if (field === 3 && wire === WireType.lengthDelimited) {
      reader.skip(wire);
      tensor.hasSegment = true;
    } else if (field === 4) reader.readRepeatedFixed(wire, 4, tensor.floatData);
    else if (field === 5) reader.readRepeatedVarint(wire, tensor.int32Data);
    else if (field === 6 && wire === WireType.lengthDelimited) {
      reader.skip(wire);
      tensor.stringDataCount++;
    } else if (field === 7) reader.readRepeatedVarint(wire, tensor.int64Data);
    else if (field === 8 && wire === WireType.lengthDelimited) tensor.name = reader.readString();
    else if (field === 9 && wire === WireType.lengthDelimited) tensor.rawData = reader.readBytes();
    else if (field === 10) reader.readRepeatedFixed(wire, 8, tensor.doubleData);
    else if (field === 11) reader.readRepeatedVarint(wire, tensor.uint64Data);
    else if (field === 13 && wire === WireType.lengthDelimited) {
      tensor.externalData.push(reader.readMessage(decodeStringEntry));
    } else if (field === 14 && wire === WireType.varint) tensor.dataLocation = reader.readInt32();
    else return false;
    return true;
  });
  return tensor;
}

function decodeStringEntry(reader: ProtoReader): { key: string; value: string } {
  const entry = { key: '', value: '' };
  forEachField(reader, (field, wire) => {
    if (field === 1 && wire === WireType.lengthDelimited) entry.key = reader.readString();
    else if (field === 2 && wire === WireType.lengthDelimited) entry.value = reader.readString();
    else return false;
    return true;
  });
  return entry;
}

function decodeValueInfo(reader: ProtoReader): ValueInfoProto {
  const info: ValueInfoProto = { name: '' };
  forEachField(reader, (field, wire) => {
    if (field === 1 && wire === WireType.lengthDelimited) info.name = reader.readString();
    else if (field === 2 && wire === WireType.lengthDelimited) {
      Object.assign(info, reader.readMessage(decodeType));
    } else return false;
    return true;
  });
  return info;
}

/** TypeProto: only `tensor_type` (field 1) is read; other kinds leave the type undefined. */
function decodeType(reader: ProtoReader): Pick<ValueInfoProto, 'elemType' | 'shape'> {
  let result: Pick<ValueInfoProto, 'elemType' | 'shape'> = {};
  forEachField(reader, (field, wire) => {
    if (field !== 1 || wire !== WireType.lengthDelimited) return false;
    result = reader.readMessage(decodeTensorType);
    return true;
  });
  return result;
}

function decodeTensorType(reader: ProtoReader): Pick<ValueInfoProto, 'elemType' | 'shape'> {
  const result: Pick<ValueInfoProto, 'elemType' | 'shape'> = {};
  forEachField(reader, (field, wire) => {
    if (field === 1 && wire === WireType.varint) result.elemType = reader.readInt32();
    else if (field === 2 && wire === WireType.lengthDelimited)
      result.shape = reader.readMessage(decodeShape);
    else return false;
    return true;
  });
  return result;
}

function decodeShape(reader: ProtoReader): Dimension[] {
  const dims: Dimension[] = [];
  forEachField(reader, (field, wire) => {
    if (field !== 1 || wire !== WireType.lengthDelimited) return false;
    dims.push(reader.readMessage(decodeDimension));
    return true;
  });
  return dims;
}

function decodeDimension(reader: ProtoReader): Dimension {
  let dim: Dimension;
  forEachField(reader, (field, wire) => {
    if (field === 1 && wire === WireType.varint) dim = reader.readInt64();
    else if (field === 2 && wire === WireType.lengthDelimited) dim = reader.readString();
    else return false;
    return true;
  });
  return dim;
}
