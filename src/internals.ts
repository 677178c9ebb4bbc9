// Everything below the user API: `import { ... } from 'qat/internals'` —
// the graph IR, variable stores, graph builders, fixed-point arithmetic,
// the QAT rewrite and the exporter's parts. These follow the code, not a
// compatibility promise; the package root ('qat') is the user API.
export * from './index.js';
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
  train, type TrainOptions, type TrainResult, evaluate, type EvalResult, consoleProgress, type ProgressSink,
} from '../train/index.js';
// A run directory: checkpoint (IR, config, weights), metrics.
export {
  saveCheckpoint, loadCheckpoint, restoreStore, loadRun, type Checkpoint, type LoadedRun, type RunConfig,
  type RunMetrics, type EpochMetrics, exportRun,
} from './run/index.js';
// Quantization-aware training: the QAT config, the pattern-table rewrite, BN folding and quantization parameters
// shared with the exporter, post-training calibration.
export * from '../quantize/index.js';
export type { FusedActivation, QuantizedLayerAttrs, FakeQuantAttrs } from './ir/types.js';
export {
  buildCalibrationGraph, applyRangeUpdates, calibrate, type CalibrateOptions, type CalibrateResult,
  type QatTrainOptions, type RangeUpdate,
} from '../train/index.js';
export type { RunQuantization } from './run/index.js';
// The bundled integer interpreter (reads any .tflite; bit-exact with LiteRT/XNNPACK or TFLite's reference kernels).
export {
  Interpreter, dequantizeTensor, DEFAULT_MAX_ARENA_BYTES, DEFAULT_MAX_WORK, describeTensor,
  type InterpreterOptions, type OperatorInfo, type TensorView, type TensorDetails, type OpTiming, type DType, type TensorData,
} from './interpreter/index.js';
// Export: a float or QAT graph + its parameters (exportRun above: a run directory) → a .tflite model (int8, dynamic-range or float32).
export {
  exportGraph, isQatGraph, formatSummary, EXPORT_MODES, IO_TYPES,
  type ExportMode, type IoType, type DynamicConvWeights, type ExportOptions, type ExportResult, type ExportSummary,
  type IoTensorSummary, type IoQuantization,
} from '../export/index.js';
// Parity (QAT eval graph vs int8 interpreter vs LiteRT.js), its reports, the demo pipeline, a run's training report,
// and LiteRT.js (optional).
export {
  runParity, formatParity, parityHtml, LAYER_CHART_ID, LayerStats, worstFirst, argmax,
  runDemo,
  type ParityOptions, type ParityResult, type LiteRtStatus, type LayerParity,
  type DemoOptions, type DemoResult, type DemoFile,
} from './parity/index.js';
export { trainingReportHtml, LOSS_CHART_ID, ACCURACY_CHART_ID } from './report/training.js';
export { readRunRecord, type RunRecord } from './run/index.js';
export {
  loadLiteRt, tryLoadLiteRt, liteRtInstalled, LiteRtError, LITERT_NOT_INSTALLED,
  type LiteRtAvailability, type LiteRtArray, type LiteRtDType, type LiteRtTensorInfo, type LiteRtCompiledModel, type LiteRtRunner,
} from './litert/index.js';
// Import: a tfjs-layers / Keras model.json + weight shards → the graph IR and its initial weights
// (train({ model: graph, initialWeights: weights, … })).
export { importLayersModel, saveLayersModel, describeInputRescaling, SUPPORTED_LAYERS, type ImportOptions, type ImportedModel, type InputRescaling } from './import/index.js';
export { arrayDataset, type ArrayDatasetOptions, type ArraySplit } from '../datasets/memory.js';
export { importLayersModelFromMemory, isModelFile } from './import/index.js';
export { saveModelRun, type ModelRunInfo } from './run/index.js';
export { quantizeReal } from './interpreter/feed.js';
