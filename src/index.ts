// The user API: `import { ... } from 'qat'`. Lower-level parts (graph IR,
// variable stores, graph builders, fixed-point arithmetic) are under
// 'qat/internals'.
export { UserError } from './errors.js';
export { selectBackend, activeBackend, BACKEND_NAMES, type BackendChoice, type BackendName } from './backend.js';

// Your own training loop: quantizeModel → QatModel (apply / observe / toTflite / save).
export { quantizeModel, type QuantizeModelOptions, type ModelSource } from './api/quantize-model.js';
export { QatModel, type ApplyOptions } from './api/qat-model.js';
export { type QuantizeConfig } from './api/config.js';
export { QAT_DEFAULTS, type QatConfig, type RangeMode, type LayerQuantOverride } from '../quantize/config.js';

// Data: the built-in datasets, your own arrays or tensors, batches of either.
export type { Split, Dataset, LoadOptions, Batch } from '../datasets/types.js';
export { loadDataset, batches, DATASET_NAMES, datasetHelp } from '../datasets/index.js';
export { arrayDataset, type ArrayDatasetOptions, type ArraySplit, type ExampleBatch } from '../datasets/memory.js';

// qat's training loop (qat train as a function), evaluation and post-training calibration of run directories.
export { ZOO_NAMES } from '../train/zoo/index.js';
export {
  train, type TrainOptions, type TrainResult, evaluate, type EvalResult, consoleProgress, type ProgressSink,
  calibrate, type CalibrateOptions, type CalibrateResult,
} from '../train/index.js';
export { loadRun, exportRun, type LoadedRun, type RunConfig, type RunMetrics, type EpochMetrics } from './run/index.js';

// Models from tfjs-layers / Keras.
export { importLayersModel, saveLayersModel, describeInputRescaling, SUPPORTED_LAYERS, type ImportOptions, type ImportedModel, type InputRescaling } from './import/index.js';
export type { Graph } from './ir/types.js';

// Export to .tflite.
export {
  EXPORT_MODES, IO_TYPES, type ExportMode, type IoType, type DynamicConvWeights, type ExportOptions, type ExportResult,
  type ExportSummary, type IoTensorSummary, type IoQuantization,
} from '../export/index.js';

// Running a .tflite: the bundled integer interpreter, feeding int8 inputs, LiteRT.js (optional) for comparison.
export {
  Interpreter, dequantizeTensor, describeTensor,
  type InterpreterOptions, type TensorDetails, type TensorData, type DType,
} from './interpreter/index.js';
export { quantizeReal } from './interpreter/feed.js';
export {
  loadLiteRt, tryLoadLiteRt, liteRtInstalled, LiteRtError,
  type LiteRtAvailability, type LiteRtArray, type LiteRtDType, type LiteRtTensorInfo, type LiteRtCompiledModel, type LiteRtRunner,
} from './litert/index.js';
export { runParity, formatParity, type ParityOptions, type ParityResult } from './parity/index.js';
