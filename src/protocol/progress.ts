/* Progress records of a training job: streamed to the CLI and the webview, kept in run.json. */
/** Gradient-norm quantiles reported during training and probing. */
export interface NormQuantiles {
  p05: number;
  p25: number;
  median: number;
  p75: number;
  p95: number;
  max: number;
}

/** One progress record: emitted to listeners and kept in run.json's history. */
export interface ProgressEvent {
  iteration: number;
  iterations: number;
  criticLoss: number;
  generatorLoss: number;
  wasserstein: number;
  penalty: number;
  /** ‖∇D(x̂)‖ at the interpolates of the last critic step. */
  gradNorm: NormQuantiles;
  /** Mean wall time per generator iteration since the previous event, in milliseconds. */
  msPerIteration: number;
  /** Modes with at least one high-quality sample among generated points, where modes are known. */
  modesCaptured?: number;
}
