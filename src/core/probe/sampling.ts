import { createMatrix, type Matrix } from '../data/matrix';
import type { Dataset } from '../data/toy';
import type { DifferentiableModel } from '../nets/model';
import { Rng } from '../rng';
import { runForward } from './evaluate';

/** Draws real points from a dataset with a stream separate from the probe sets' stream. */
export function sampleDataset(dataset: Dataset, n: number, seed: number): Matrix {
  return dataset.sample(n, new Rng(seed ^ 0x5eed), { cursor: 0 });
}

/** Draws latent codes z ~ N(0, I) and runs the generator on them. */
export function sampleGenerator(generator: DifferentiableModel, n: number, seed: number): Matrix {
  const latentDim = generator.inputShape.reduce((a, b) => a * b, 1);
  const rng = new Rng(seed ^ 0x1a7e);
  const z = createMatrix(n, latentDim, rng.normals(n * latentDim));
  return runForward(generator, z);
}
