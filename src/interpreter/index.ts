// The bundled integer-only interpreter: `Interpreter.fromFile(path)`.
export {
  Interpreter, dequantizeTensor, DEFAULT_MAX_ARENA_BYTES, DEFAULT_MAX_WORK,
  type InterpreterOptions, type OperatorInfo, type TensorView, type OpTiming,
} from './interpreter.js';
export { type TensorDetails, describeTensor, inputMismatch, quantizeHint, num, shapeText } from './details.js';
export { type DType, type TensorData, DTYPE_BYTES } from './dtypes.js';
export { MAX_OP_VERSION, OP_TYPES, supportedOpList } from './plan/index.js';
