// Public library API: `import { ... } from 'qat'`.
export * from '../quantize/math.js';
export { UserError } from './errors.js';
export { selectBackend, activeBackend, BACKEND_NAMES, type BackendChoice, type BackendName } from './backend.js';
export type { Split, Dataset, LoadOptions, Batch } from '../datasets/types.js';
export { loadDataset, batches, adaptSplit, adaptImages, DATASET_NAMES, datasetHelp } from '../datasets/index.js';
// The bundled integer interpreter (reads any .tflite; bit-exact with LiteRT/XNNPACK or TFLite's reference kernels).
export {
  Interpreter, dequantizeTensor, DEFAULT_MAX_ARENA_BYTES, DEFAULT_MAX_WORK, describeTensor,
  type InterpreterOptions, type OperatorInfo, type TensorView, type TensorDetails, type OpTiming, type DType, type TensorData,
} from './interpreter/index.js';
