export { readNpy, writeNpy, encodeNpy, type NpyArray, type ReadOptions } from './npy';
export { readCsv, type CsvTable } from './csv';
export { readTorchFile, type TorchFile, type TorchReadOptions } from './torch';
export {
  selectStateDict,
  type CheckpointContents,
  type NonFiniteCount,
  type StateDictCandidate,
  type StateDictRole,
} from './torchTree';
export type { OptimizerInfo, ParamGroup } from './torchOptimizer';
export type { ModuleRecord } from './torchModule';
export { readSafetensors, type SafetensorsFile } from './safetensors';
export { detectFormat, type CheckpointFormat, type Detection, type DetectHooks } from './detect';
export { buildModelFromStateDict, type StateDictModel } from './modelBuilder';
export {
  inferArchitecture,
  type ActivationChoice,
  type InferOptions,
  type InferredArchitecture,
} from './stateDict';
export { architectureFromModule } from './moduleArch';
export {
  readArchitectureFile,
  parseArchitecture,
  validateArchitecture,
  type ArchitectureSpec,
  type LayerSpec,
} from './archSpec';
export type { LoadedTensor, SourceDType, StateDict } from './tensor';
export {
  CheckpointError,
  DEFAULT_LIMITS,
  type CheckpointErrorCode,
  type ReadLimits,
} from './errors';
export {
  readOnnxModel,
  readOnnxFile,
  decodeOnnx,
  type OnnxModel,
  type OnnxLoadOptions,
} from './onnx/load';
export { inspectOnnx, type OnnxSummary } from './onnx/inspect';
export {
  readTfjsLayersModel,
  parseLayersManifest,
  wrapLayersModel,
  describeKerasLayers,
  type TfjsLayersModel,
} from './tfjsLayers';
export {
  loadModelFile,
  readBoundedFile,
  type LoadedModelFile,
  type LoadModelOptions,
} from './loadModel';
export { inspectFile, type FileSummary, type LayerSummary } from './inspect';
