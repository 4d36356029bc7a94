import type { Dataset } from '../data/toy';
import type { MlpSpec } from '../nets/spec';
import type { TrainConfig } from './config';

/** The critic and generator specifications a configuration implies for a dataset. */
export function networkSpecs(
  config: TrainConfig,
  dataset: Dataset,
): { critic: MlpSpec; generator: MlpSpec } {
  return {
    critic: {
      inputShape: [dataset.dim],
      hidden: config.critic.hidden,
      outputSize: 1,
      activation: config.critic.activation,
    },
    generator: {
      inputShape: [config.generator.latentDim],
      hidden: config.generator.hidden,
      outputSize: dataset.dim,
      activation: config.generator.activation,
    },
  };
}
