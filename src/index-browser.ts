// The package in a web page: `import { ... } from 'qat'` under a bundler's
// "browser" condition resolves here. Everything runs on data held in memory —
// no run directories, model.json paths, dataset files, workers or LiteRT —
// and the backends are the browser's (wasm, webgl, webgpu, cpu).
export { UserError } from './errors.js';
export {
  selectBackend, activeBackend, BACKEND_NAMES, type BackendChoice, type BackendName, type BrowserBackendOptions,
} from './backend-browser.js';

// Your own training loop: quantizeModel (a tf.LayersModel or a zoo name) → QatModel (apply / observe / toTflite).
export { quantizeModel, type QuantizeModelOptions, type ModelSource } from './api/quantize-model.js';
export { QatModel, type ApplyOptions } from './api/qat-model.js';
export { type QuantizeConfig } from './api/config.js';
export { QAT_DEFAULTS, type QatConfig, type RangeMode, type LayerQuantOverride } from '../quantize/config.js';
export { ZOO_NAMES, buildModel, type ZooOptions } from '../train/zoo/index.js';

// Data held in memory: arrays, tensors or an async iterator of batches, and batching of a split.
export type { Split, Dataset, Batch } from '../datasets/types.js';
export { batches, type BatchOptions } from '../datasets/batches.js';
export { arrayDataset, type ArrayDatasetOptions, type ArraySplit, type ExampleBatch } from '../datasets/memory.js';

// qat's training loop on an in-memory dataset (no outDir), and evaluation.
export { train, type TrainOptions, type TrainResult } from '../train/loop.js';
export { evaluate, type EvalResult } from '../train/evaluate.js';
export { silentProgress, type ProgressSink, type StepInfo } from '../train/progress.js';

// Export to .tflite: QatModel.toTflite, or exportGraph for a graph and its variable store (what train() returns).
export * from '../export/index.js';

// Running a .tflite from bytes in the bundled integer interpreter, and per-layer parity with the eval graph.
export {
  Interpreter, dequantizeTensor, describeTensor,
  type InterpreterOptions, type TensorDetails, type TensorView, type TensorData, type DType,
} from './interpreter/index.js';
export { quantizeReal } from './interpreter/feed.js';
export { layerParity, type LayerParityOptions, type LayerParityResult } from './parity/memory.js';
export { worstFirst, type LayerParity } from './parity/stats.js';
