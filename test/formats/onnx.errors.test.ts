import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../src/core/backend/init';
import { CheckpointError } from '../../src/core/formats/errors';
import { inspectOnnx } from '../../src/core/formats/onnx/inspect';
import { readOnnxFile, readOnnxModel } from '../../src/core/formats/onnx/load';
import { decodeModel } from '../../src/core/formats/onnx/proto';
import { MAX_MESSAGE_DEPTH, ProtoReader } from '../../src/core/formats/onnx/protobuf';
import { silentLogger } from '../../src/core/log';
import { encodeModel, wire, type ModelSpec } from './onnxEncoder';
import { TOY_DIR } from './onnxTestUtils';

const CRITIC = readFileSync(path.join(TOY_DIR, 'cg_8g_gp', 'critic.onnx'));
const CONV_CRITIC = readFileSync(
  path.join(TOY_DIR, 'dcgan', 'dcgan_cifar10_critic_untrained.onnx'),
);

/** Loads, runs and inspects `bytes`, allowing only CheckpointErrors and leaking no tensors. */
function readWithoutSurprises(bytes: Uint8Array): void {
  const before = tf.memory().numTensors;
  try {
    const model = readOnnxModel(bytes);
    if (model.inputShape.every((d) => d > 0)) {
      tf.tidy(() => {
        model.apply(tf.zeros([2, ...model.inputShape]));
      });
    }
    model.dispose();
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
  }
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  try {
    inspectOnnx(bytes);
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
  }
}

function reluModel(extra: Partial<ModelSpec> = {}): ModelSpec {
  return {
    nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'], name: 'relu_node' }],
    inputs: [{ name: 'x', dims: ['batch', 3] }],
    outputs: [{ name: 'y', dims: ['batch', 3] }],
    ...extra,
  };
}

/** Runs `read` and returns the CheckpointError it throws; fails when it throws anything else. */
function checkpointError(read: () => unknown): CheckpointError {
  try {
    read();
  } catch (error) {
    assert.ok(error instanceof CheckpointError, `expected a CheckpointError, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected a CheckpointError, but reading succeeded');
}

describe('readOnnxModel errors', () => {
  before(async () => {
    await initBackend({ request: 'cpu', logger: silentLogger });
  });

  it('names an unsupported op, its node and the opset at load', () => {
    const bytes = encodeModel({
      opset: 15,
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['h'] },
        { op: 'NonZero', inputs: ['h'], outputs: ['y'], name: 'mystery_node' },
      ],
      inputs: [{ name: 'x', dims: ['batch', 3] }],
      outputs: [{ name: 'y', dims: [2, 'n'] }],
    });
    const error = checkpointError(() => readOnnxModel(bytes, 'model.onnx'));
    assert.equal(error.code, 'unsupported');
    assert.match(error.message, /operator 'NonZero'/);
    assert.match(error.message, /node 'mystery_node'/);
    assert.match(error.message, /opset 15/);
    assert.match(error.message, /^model\.onnx: /);
  });

  it('lists unsupported ops in the summary', () => {
    const bytes = encodeModel(
      reluModel({ nodes: [{ op: 'NonZero', inputs: ['x'], outputs: ['y'] }] }),
    );
    assert.deepEqual(inspectOnnx(bytes).unsupportedOps, ['NonZero']);
    assert.deepEqual(inspectOnnx(CRITIC).unsupportedOps, []);
  });

  it('rejects op names found on Object.prototype', () => {
    for (const op of ['constructor', 'toString', '__proto__']) {
      const bytes = encodeModel(reluModel({ nodes: [{ op, inputs: ['x'], outputs: ['y'] }] }));
      const error = checkpointError(() => readOnnxModel(bytes));
      assert.equal(error.code, 'unsupported', op);
    }
  });

  it('rejects operators from other domains', () => {
    const bytes = encodeModel(
      reluModel({
        nodes: [
          { op: 'Relu', inputs: ['x'], outputs: ['y'], domain: 'com.example', name: 'custom' },
        ],
      }),
    );
    const error = checkpointError(() => readOnnxModel(bytes));
    assert.equal(error.code, 'unsupported');
    assert.match(error.message, /domain 'com\.example'/);
  });

  it('rejects grouped convolution at load', () => {
    const bytes = encodeModel({
      nodes: [
        {
          op: 'Conv',
          inputs: ['x', 'w'],
          outputs: ['y'],
          name: 'depthwise',
          attributes: { group: 2, kernel_shape: [1, 1] },
        },
      ],
      initializers: [{ name: 'w', dims: [2, 1, 1, 1], values: [1, 2] }],
      inputs: [{ name: 'x', dims: ['batch', 2, 3, 3] }],
      outputs: [{ name: 'y', dims: ['batch', 2, 3, 3] }],
    });
    const error = checkpointError(() => readOnnxModel(bytes));
    assert.equal(error.code, 'unsupported');
    assert.match(error.message, /group=2/);
    assert.match(error.message, /node 'depthwise'/);
  });

  it('rejects BatchNormalization in training mode', () => {
    const params = ['scale', 'bias', 'mean', 'var'].map((name) => ({
      name,
      dims: [3],
      values: [1, 1, 1],
    }));
    const bytes = encodeModel({
      opset: 15,
      nodes: [
        {
          op: 'BatchNormalization',
          inputs: ['x', 'scale', 'bias', 'mean', 'var'],
          outputs: ['y'],
          attributes: { training_mode: 1 },
        },
      ],
      initializers: params,
      inputs: [{ name: 'x', dims: ['batch', 3] }],
      outputs: [{ name: 'y', dims: ['batch', 3] }],
    });
    assert.match(checkpointError(() => readOnnxModel(bytes)).message, /training mode/);
  });

  it('rejects tensors with external data', () => {
    const bytes = encodeModel(
      reluModel({ initializers: [{ name: 'w', dims: [3], values: [], external: 'weights.bin' }] }),
    );
    const error = checkpointError(() => readOnnxModel(bytes));
    assert.equal(error.code, 'unsupported');
    assert.match(error.message, /external file 'weights\.bin'/);
  });

  it('rejects an input that no node produces', () => {
    const bytes = encodeModel(
      reluModel({ nodes: [{ op: 'Add', inputs: ['x', 'ghost'], outputs: ['y'] }] }),
    );
    const error = checkpointError(() => readOnnxModel(bytes));
    assert.equal(error.code, 'corrupt');
    assert.match(error.message, /'ghost'/);
  });

  it('rejects a file that is not ONNX', () => {
    const text = new TextEncoder().encode('PK\u0003\u0004 this is a zip header, not a model');
    assert.ok(
      ['not-a-checkpoint', 'corrupt', 'truncated'].includes(
        checkpointError(() => readOnnxModel(text)).code,
      ),
    );
    assert.equal(checkpointError(() => readOnnxModel(new Uint8Array())).code, 'not-a-checkpoint');
  });

  it('asks for a choice between several float inputs', () => {
    const bytes = encodeModel({
      nodes: [{ op: 'Add', inputs: ['a', 'b'], outputs: ['y'] }],
      inputs: [
        { name: 'a', dims: ['batch', 2] },
        { name: 'b', dims: ['batch', 2] },
      ],
      outputs: [{ name: 'y', dims: ['batch', 2] }],
    });
    assert.equal(checkpointError(() => readOnnxModel(bytes)).code, 'ambiguous');
    assert.equal(
      checkpointError(() => readOnnxModel(bytes, undefined, { inputName: 'a' })).code,
      'unsupported',
    );
  });

  it('rejects declared sizes over the limits before reading them', () => {
    const bytes = encodeModel(
      reluModel({ initializers: [{ name: 'w', dims: [1_000_000, 1_000_000], values: [1] }] }),
    );
    assert.equal(checkpointError(() => readOnnxModel(bytes)).code, 'too-large');
    assert.equal(
      checkpointError(() => readOnnxModel(CRITIC, undefined, { limits: { maxFileBytes: 1000 } }))
        .code,
      'too-large',
    );
    const small = encodeModel(
      reluModel({ initializers: [{ name: 'w', dims: [4], values: [1, 2, 3] }] }),
    );
    assert.match(
      checkpointError(() => readOnnxModel(small)).message,
      /12 bytes of raw data, expected 16/,
    );
  });

  it('explains a fixed batch size', () => {
    const bytes = encodeModel({
      nodes: [{ op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] }],
      initializers: [{ name: 'shape', dims: [2], values: [2, 3], int64: true }],
      inputs: [{ name: 'x', dims: [2, 3] }],
      outputs: [{ name: 'y', dims: [2, 3] }],
    });
    const model = readOnnxModel(bytes, 'fixed.onnx');
    const error = checkpointError(() => tf.tidy(() => model.apply(tf.zeros([4, 3]))));
    model.dispose();
    assert.match(error.message, /^fixed\.onnx: node '.*' \(Reshape, opset 13\): cannot reshape/);
    assert.match(error.message, /fixed batch size of 2/);
  });

  it('reads files from disk with a size check', async () => {
    const file = path.join(TOY_DIR, 'cg_8g_gp', 'critic.onnx');
    const model = await readOnnxFile(file);
    model.dispose();
    assert.deepEqual(model.inputShape, [2]);
    await assert.rejects(
      readOnnxFile(file, { limits: { maxFileBytes: 1024 } }),
      (error: unknown) => {
        return error instanceof CheckpointError && error.code === 'too-large';
      },
    );
    await assert.rejects(readOnnxFile(path.join(TOY_DIR, 'absent.onnx')), (error: unknown) => {
      return error instanceof CheckpointError && error.code === 'not-found';
    });
  });

  it('rejects truncated copies of the critic', () => {
    for (const length of [1, 17, 100, 1000, CRITIC.length >> 1, CRITIC.length - 1]) {
      const error = checkpointError(() => readOnnxModel(CRITIC.subarray(0, length)));
      assert.ok(
        ['truncated', 'corrupt', 'not-a-checkpoint', 'unsupported'].includes(error.code),
        `length ${length}: ${error.code}`,
      );
    }
  });

  it('keeps every mutated or truncated critic to a CheckpointError', function () {
    this.timeout(60_000);
    const length = CRITIC.length;
    // Half the mutations hit the first and last kilobytes, where the nodes, names, shapes and
    // opset sit; the rest land anywhere, mostly in the weights.
    const position = fc.oneof(
      fc.nat(1023),
      fc.integer({ min: length - 1024, max: length - 1 }),
      fc.nat(length - 1),
    );
    const mutation = fc.record({
      edits: fc.array(fc.tuple(position, fc.nat(255)), { minLength: 1, maxLength: 8 }),
      cut: fc.option(fc.integer({ min: 0, max: length }), { freq: 4 }),
    });
    fc.assert(
      fc.property(mutation, ({ edits, cut }) => {
        const bytes = Uint8Array.from(CRITIC);
        for (const [at, value] of edits) bytes[at] = value;
        readWithoutSurprises(cut === null ? bytes : bytes.subarray(0, cut));
      }),
      { numRuns: 250, seed: 20261204 },
    );
  });

  it('keeps every mutated conv critic to a CheckpointError', function () {
    this.timeout(60_000);
    // The nodes with their Conv attributes (pads, strides, kernel_shape) open the graph.
    const position = fc.oneof(fc.nat(2047), fc.nat(CONV_CRITIC.length - 1));
    const edits = fc.array(fc.tuple(position, fc.nat(255)), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(edits, (changes) => {
        const bytes = Uint8Array.from(CONV_CRITIC);
        for (const [at, value] of changes) bytes[at] = value;
        readWithoutSurprises(bytes);
      }),
      { numRuns: 60, seed: 4122026 },
    );
  });
});

describe('ProtoReader', () => {
  it('decodes varints up to 64 bits and negative int64', () => {
    const values = [0, 1, 127, 128, 300, 2 ** 31, 2 ** 53 - 1];
    for (const value of values)
      assert.equal(new ProtoReader(wire.varint(value)).readInt64(), value);
    assert.equal(new ProtoReader(wire.varint(-1n)).readInt64(), -1);
    assert.equal(new ProtoReader(wire.varint(-123456789n)).readInt64(), -123456789);
  });

  it('rejects varints longer than 10 bytes', () => {
    const bytes = new Uint8Array(11).fill(0x80);
    const error = checkpointError(() => new ProtoReader(bytes).readVarint());
    assert.equal(error.code, 'corrupt');
  });

  it('rejects lengths past the end', () => {
    const bytes = Uint8Array.from([...wire.varint(7 * 8 + 2), ...wire.varint(1_000_000), 1, 2, 3]);
    assert.equal(checkpointError(() => decodeModel(bytes)).code, 'truncated');
  });

  it('rejects nesting deeper than the limit', () => {
    // A chain of length-delimited fields, each nested in the next, read by a recursive decoder.
    let payload = new Uint8Array();
    for (let i = 0; i <= MAX_MESSAGE_DEPTH + 1; i++) payload = wire.field(1, 2, payload);
    const reader = new ProtoReader(payload);
    const descend = (r: ProtoReader): void => {
      while (!r.atEnd()) {
        r.readKey();
        r.readMessage(descend);
      }
    };
    assert.match(checkpointError(() => descend(reader)).message, /deeper than 64/);
  });

  it('rejects invalid wire types and field 0', () => {
    assert.equal(checkpointError(() => decodeModel(Uint8Array.from([0x0b, 0x00]))).code, 'corrupt');
    assert.equal(checkpointError(() => decodeModel(Uint8Array.from([0x00, 0x00]))).code, 'corrupt');
  });

  it('reads packed and unpacked repeated ints alike', () => {
    const packed = new ProtoReader(
      Uint8Array.from([...wire.varint(3), ...wire.varint(5), ...wire.varint(300)]),
    );
    const out: number[] = [];
    packed.readRepeatedVarint(2, out);
    const single = new ProtoReader(wire.varint(7));
    single.readRepeatedVarint(0, out);
    assert.deepEqual(out, [5, 300, 7]);
  });
});
