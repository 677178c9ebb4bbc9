// Public library API: `import { ... } from 'qat'`.
export * from '../quantize/math.js';
export { UserError } from './errors.js';
export { selectBackend, activeBackend, BACKEND_NAMES, type BackendChoice, type BackendName } from './backend.js';
export type { Split, Dataset, LoadOptions, Batch } from '../datasets/types.js';
export { loadDataset, batches, adaptSplit, adaptImages, DATASET_NAMES, datasetHelp } from '../datasets/index.js';
// Graph IR, model zoo, train/eval graph builders, training loop, checkpoints.
export type {
  Graph, IRNode, NodeOf, OpName, OpAttrs, Shape, Pair, Padding, ParamSpec, VariableSpec, InitSpec, ParamKind,
} from './ir/types.js';
export { analyze, GraphBuilder, summary, layerRows, graphToJSON, graphFromJSON, OP_SPECS, OP_NAMES, type AnalyzedGraph, type LayerRow, type OpSpec } from './ir/index.js';
export {
  ZOO, ZOO_NAMES, buildModel, type ZooEntry, type ZooOptions,
  buildTrainGraph, buildEvalGraph, applyStatUpdates, type TrainGraph, type EvalGraph, type StatUpdate,
  VariableStore, checkNamesMatch, modelVariableNames, type VariableKind,
  createOptimizer, optimizerConfig, type Optimizer, type OptimizerConfig, type OptimizerName,
  learningRate, type ScheduleName, crossEntropy,
  train, type TrainOptions, type TrainResult, evaluate, type EvalResult,
  saveCheckpoint, loadCheckpoint, restoreStore, loadRun, type Checkpoint, type LoadedRun, type RunConfig,
  type RunMetrics, type EpochMetrics, consoleProgress, type ProgressSink,
} from '../train/index.js';
// The bundled integer interpreter (reads any .tflite; bit-exact with LiteRT/XNNPACK or TFLite's reference kernels).
export {
  Interpreter, dequantizeTensor, DEFAULT_MAX_ARENA_BYTES, DEFAULT_MAX_WORK, describeTensor,
  type InterpreterOptions, type OperatorInfo, type TensorView, type TensorDetails, type OpTiming, type DType, type TensorData,
} from './interpreter/index.js';
