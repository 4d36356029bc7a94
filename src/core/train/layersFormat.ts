import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic';
import { layerSizes, type MlpSpec } from '../nets/mlp';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
}

interface ModelJson {
  format?: string;
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: WeightSpec[] }[];
}

/** Builds a tfjs-layers Sequential model equivalent to our MLP, so the files load in any TF.js app. */
function buildLayersModel(spec: MlpSpec, name: string): tfl.Sequential {
  const model = tfl.sequential({ name });
  const sizes = layerSizes(spec);
  if (spec.inputShape.length > 1)
    model.add(tfl.layers.flatten({ inputShape: spec.inputShape, name: `${name}_flatten` }));
  for (let l = 0; l + 1 < sizes.length; l++) {
    const hidden = l + 2 < sizes.length;
    const fused = hidden && spec.activation.name !== 'leakyRelu';
    const activation = fused
      ? (spec.activation.name as 'relu' | 'tanh' | 'sigmoid' | 'elu')
      : 'linear';
    model.add(
      tfl.layers.dense({
        units: sizes[l + 1],
        activation,
        name: `${name}_dense_${l}`,
        ...(l === 0 && spec.inputShape.length === 1 ? { inputShape: [sizes[0]] } : {}),
      }),
    );
    if (hidden && spec.activation.name === 'leakyRelu') {
      model.add(tfl.layers.leakyReLU({ alpha: spec.activation.alpha, name: `${name}_leaky_${l}` }));
    }
  }
  return model;
}

/**
 * Writes an MLP as a TF.js Layers model (`model.json` + `weights.bin`) into `dir`. Weights are
 * float32 in variable order (kernel_0 [in, out], bias_0, ...), so a round trip is bit for bit.
 */
export async function writeLayersModel(
  dir: string,
  spec: MlpSpec,
  name: string,
  weights: Float32Array[],
): Promise<void> {
  const model = buildLayersModel(spec, name);
  try {
    const tensors = weights.map((values, i) => tf.tensor(values, model.getWeights()[i].shape));
    model.setWeights(tensors);
    tf.dispose(tensors);
    await fs.mkdir(dir, { recursive: true });
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const data = tf.io.CompositeArrayBuffer.join(
          artifacts.weightData as ArrayBuffer | ArrayBuffer[],
        );
        const json: ModelJson & Record<string, unknown> = {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [
            { paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs as WeightSpec[] },
          ],
        };
        await writeFileAtomic(path.join(dir, WEIGHTS_BIN), new Uint8Array(data));
        await writeFileAtomic(path.join(dir, MODEL_JSON), JSON.stringify(json));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
  } finally {
    model.dispose();
  }
}

/** Reads the weights of an MLP written by {@link writeLayersModel}, checking every shape against `spec`. */
export async function readLayersWeights(dir: string, spec: MlpSpec): Promise<Float32Array[]> {
  const jsonPath = path.join(dir, MODEL_JSON);
  let json: ModelJson;
  try {
    json = JSON.parse(await fs.readFile(jsonPath, 'utf8')) as ModelJson;
  } catch (error) {
    throw new Error(`${jsonPath} is missing or not valid JSON (${(error as Error).message}).`, {
      cause: error,
    });
  }
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length !== 1 || manifest[0].paths?.length !== 1) {
    throw new Error(`${jsonPath}: expected one weights group with one file.`);
  }
  const specs = manifest[0].weights;
  const sizes = layerSizes(spec);
  const expectedShapes = sizes.slice(0, -1).flatMap((n, l) => [[n, sizes[l + 1]], [sizes[l + 1]]]);
  if (!Array.isArray(specs) || specs.length !== expectedShapes.length) {
    throw new Error(
      `${jsonPath}: expected ${expectedShapes.length} weight tensors for ${sizes.join('→')}.`,
    );
  }
  const binPath = path.join(dir, path.basename(manifest[0].paths[0]));
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(binPath);
  } catch (error) {
    throw new Error(
      `${binPath} is missing or unreadable (${(error as Error).message}); probe or resume from another checkpoint.`,
      { cause: error },
    );
  }
  const out: Float32Array[] = [];
  let offset = 0;
  specs.forEach((weight, i) => {
    const shape = expectedShapes[i];
    if (weight.dtype !== 'float32' || JSON.stringify(weight.shape) !== JSON.stringify(shape)) {
      throw new Error(
        `${jsonPath}: weight ${weight.name} is ${weight.dtype} ${JSON.stringify(weight.shape)}, expected float32 ${JSON.stringify(shape)}.`,
      );
    }
    const count = shape.reduce((a, b) => a * b, 1);
    if (offset + count * 4 > bytes.length)
      throw new Error(`${binPath} is truncated: ${bytes.length} bytes.`);
    out.push(
      new Float32Array(
        bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + count * 4),
      ),
    );
    offset += count * 4;
  });
  if (offset !== bytes.length)
    throw new Error(`${binPath} has ${bytes.length - offset} bytes more than its manifest lists.`);
  return out;
}
