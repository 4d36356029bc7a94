/** Wire types of the ONNX ModelProto fields (onnx.proto, message ModelProto). */
const MODEL_PROTO_FIELDS: Record<number, number> = {
  1: 0, // ir_version
  2: 2, // producer_name
  3: 2, // producer_version
  4: 2, // domain
  5: 0, // model_version
  6: 2, // doc_string
  7: 2, // graph
  8: 2, // opset_import
  14: 2, // metadata_props
  20: 2, // training_info
  25: 2, // functions
  26: 2, // configuration
};

/**
 * Returns true when the bytes parse as a protobuf message whose top-level fields all belong to
 * an ONNX ModelProto with the right wire types, including a graph. It only walks the top level;
 * the ONNX reader validates the rest. A graph that runs past the end of the bytes still counts
 * when a valid field precedes it, so that the reader can report the file as truncated.
 */
export function looksLikeOnnxModel(bytes: Uint8Array): boolean {
  let at = 0;
  let hasGraph = false;
  let fieldsRead = 0;
  while (at < bytes.length) {
    const tag = readVarint(bytes, at);
    if (tag === undefined) return false;
    at = tag.next;
    const field = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    if (MODEL_PROTO_FIELDS[field] !== wireType) return false;
    if (field === 7) hasGraph = true;
    if (wireType === 0) {
      const value = readVarint(bytes, at);
      if (value === undefined) return false;
      at = value.next;
    } else {
      const length = readVarint(bytes, at);
      if (length === undefined) return false;
      if (length.next + length.value > bytes.length) return field === 7 && fieldsRead > 0;
      at = length.next + length.value;
    }
    fieldsRead++;
  }
  return hasGraph;
}

function readVarint(bytes: Uint8Array, start: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let at = start; at < bytes.length && at < start + 10; at++) {
    value += (bytes[at] & 0x7f) * scale;
    if ((bytes[at] & 0x80) === 0) return { value, next: at + 1 };
    scale *= 128;
  }
  return undefined;
}
