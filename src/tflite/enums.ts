// Enum values of the public TFLite schema (schema.fbs, namespace tflite).
// New values are only ever appended there, so these numbers are stable.

import { int4Bytes } from './int4.js';

/** TensorType, indexed by its code. */
export const TENSOR_TYPE_NAMES = [
  'FLOAT32', 'FLOAT16', 'INT32', 'UINT8', 'INT64', 'STRING', 'BOOL', 'INT16',
  'COMPLEX64', 'INT8', 'FLOAT64', 'COMPLEX128', 'UINT64', 'RESOURCE', 'VARIANT',
  'UINT32', 'UINT16', 'INT4', 'BFLOAT16',
] as const;
export type TensorTypeName = (typeof TENSOR_TYPE_NAMES)[number];

export const TensorType = Object.fromEntries(
  TENSOR_TYPE_NAMES.map((name, code) => [name, code]),
) as { readonly [K in TensorTypeName]: number };

/**
 * Bytes per element as stored in a constant buffer; 0 for types whose size is
 * not fixed per element (STRING, RESOURCE, VARIANT, and INT4, which packs two
 * values per byte).
 */
const ELEMENT_BYTES: Readonly<Record<TensorTypeName, number>> = {
  FLOAT32: 4, FLOAT16: 2, INT32: 4, UINT8: 1, INT64: 8, STRING: 0, BOOL: 1,
  INT16: 2, COMPLEX64: 8, INT8: 1, FLOAT64: 8, COMPLEX128: 16, UINT64: 8,
  RESOURCE: 0, VARIANT: 0, UINT32: 4, UINT16: 2, INT4: 0, BFLOAT16: 2,
};

/** Bytes a constant buffer of `count` elements takes; null where the size is not fixed by the count. */
export function tensorBufferBytes(type: TensorTypeName, count: number): number | null {
  if (type === 'INT4') return int4Bytes(count);
  const width = ELEMENT_BYTES[type];
  return width > 0 ? count * width : null;
}

export function tensorTypeName(code: number): TensorTypeName | undefined {
  return TENSOR_TYPE_NAMES[code];
}

/**
 * BuiltinOperator, indexed by its code (0..207). Kept complete so `inspect`
 * can name any op a converter wrote, not only the ones we execute.
 */
export const BUILTIN_OPERATOR_NAMES: readonly string[] = (
  'ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE ' +
  'DEQUANTIZE EMBEDDING_LOOKUP FLOOR FULLY_CONNECTED HASHTABLE_LOOKUP ' +
  'L2_NORMALIZATION L2_POOL_2D LOCAL_RESPONSE_NORMALIZATION LOGISTIC ' +
  'LSH_PROJECTION LSTM MAX_POOL_2D MUL RELU RELU_N1_TO_1 RELU6 RESHAPE ' +
  'RESIZE_BILINEAR RNN SOFTMAX SPACE_TO_DEPTH SVDF TANH CONCAT_EMBEDDINGS ' +
  'SKIP_GRAM CALL CUSTOM EMBEDDING_LOOKUP_SPARSE PAD UNIDIRECTIONAL_SEQUENCE_RNN ' +
  'GATHER BATCH_TO_SPACE_ND SPACE_TO_BATCH_ND TRANSPOSE MEAN SUB DIV SQUEEZE ' +
  'UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE BIDIRECTIONAL_SEQUENCE_RNN EXP ' +
  'TOPK_V2 SPLIT LOG_SOFTMAX DELEGATE BIDIRECTIONAL_SEQUENCE_LSTM CAST PRELU ' +
  'MAXIMUM ARG_MAX MINIMUM LESS NEG PADV2 GREATER GREATER_EQUAL LESS_EQUAL ' +
  'SELECT SLICE SIN TRANSPOSE_CONV SPARSE_TO_DENSE TILE EXPAND_DIMS EQUAL ' +
  'NOT_EQUAL LOG SUM SQRT RSQRT SHAPE POW ARG_MIN FAKE_QUANT REDUCE_PROD ' +
  'REDUCE_MAX PACK LOGICAL_OR ONE_HOT LOGICAL_AND LOGICAL_NOT UNPACK REDUCE_MIN ' +
  'FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL FLOOR_MOD RANGE ' +
  'RESIZE_NEAREST_NEIGHBOR LEAKY_RELU SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V ' +
  'UNIQUE CEIL REVERSE_V2 ADD_N GATHER_ND COS WHERE RANK ELU REVERSE_SEQUENCE ' +
  'MATRIX_DIAG QUANTIZE MATRIX_SET_DIAG ROUND HARD_SWISH IF WHILE ' +
  'NON_MAX_SUPPRESSION_V4 NON_MAX_SUPPRESSION_V5 SCATTER_ND SELECT_V2 DENSIFY ' +
  'SEGMENT_SUM BATCH_MATMUL PLACEHOLDER_FOR_GREATER_OP_CODES CUMSUM CALL_ONCE ' +
  'BROADCAST_TO RFFT2D CONV_3D IMAG REAL COMPLEX_ABS HASHTABLE HASHTABLE_FIND ' +
  'HASHTABLE_IMPORT HASHTABLE_SIZE REDUCE_ALL CONV_3D_TRANSPOSE VAR_HANDLE ' +
  'READ_VARIABLE ASSIGN_VARIABLE BROADCAST_ARGS RANDOM_STANDARD_NORMAL BUCKETIZE ' +
  'RANDOM_UNIFORM MULTINOMIAL GELU DYNAMIC_UPDATE_SLICE RELU_0_TO_1 ' +
  'UNSORTED_SEGMENT_PROD UNSORTED_SEGMENT_MAX UNSORTED_SEGMENT_SUM ATAN2 ' +
  'UNSORTED_SEGMENT_MIN SIGN BITCAST BITWISE_XOR RIGHT_SHIFT STABLEHLO_LOGISTIC ' +
  'STABLEHLO_ADD STABLEHLO_DIVIDE STABLEHLO_MULTIPLY STABLEHLO_MAXIMUM ' +
  'STABLEHLO_RESHAPE STABLEHLO_CLAMP STABLEHLO_CONCATENATE STABLEHLO_BROADCAST_IN_DIM ' +
  'STABLEHLO_CONVOLUTION STABLEHLO_SLICE STABLEHLO_CUSTOM_CALL STABLEHLO_REDUCE ' +
  'STABLEHLO_ABS STABLEHLO_AND STABLEHLO_COSINE STABLEHLO_EXPONENTIAL STABLEHLO_FLOOR ' +
  'STABLEHLO_LOG STABLEHLO_MINIMUM STABLEHLO_NEGATE STABLEHLO_OR STABLEHLO_POWER ' +
  'STABLEHLO_REMAINDER STABLEHLO_RSQRT STABLEHLO_SELECT STABLEHLO_SUBTRACT ' +
  'STABLEHLO_TANH STABLEHLO_SCATTER STABLEHLO_COMPARE STABLEHLO_CONVERT ' +
  'STABLEHLO_DYNAMIC_SLICE STABLEHLO_DYNAMIC_UPDATE_SLICE STABLEHLO_PAD STABLEHLO_IOTA ' +
  'STABLEHLO_DOT_GENERAL STABLEHLO_REDUCE_WINDOW STABLEHLO_SORT STABLEHLO_WHILE ' +
  'STABLEHLO_GATHER STABLEHLO_TRANSPOSE DILATE STABLEHLO_RNG_BIT_GENERATOR ' +
  'REDUCE_WINDOW STABLEHLO_COMPOSITE COMPLEX'
).split(' ');

/** Codes of the builtin operators the project writes and executes. */
export const BuiltinOperator = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  LOGISTIC: 14,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  RESIZE_BILINEAR: 23,
  SOFTMAX: 25,
  TANH: 28,
  CUSTOM: 32,
  PAD: 34,
  MEAN: 40,
  SUB: 41,
  SQUEEZE: 43,
  PRELU: 54,
  MAXIMUM: 55,
  MINIMUM: 57,
  REDUCE_MAX: 82,
  LEAKY_RELU: 98,
  STRIDED_SLICE: 45,
  SLICE: 65,
  TRANSPOSE_CONV: 67,
  RSQRT: 76,
  RESIZE_NEAREST_NEIGHBOR: 97,
  SQUARED_DIFFERENCE: 99,
  MIRROR_PAD: 100,
  QUANTIZE: 114,
  HARD_SWISH: 117,
} as const;

/**
 * Codes ≥ this do not fit OperatorCode.deprecated_builtin_code (an int8);
 * such ops store this placeholder there and the real code in builtin_code.
 */
export const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

export function builtinOperatorName(code: number): string {
  return BUILTIN_OPERATOR_NAMES[code] ?? `BUILTIN_${code}`;
}

export const ACTIVATION_NAMES = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'] as const;
export type Activation = (typeof ACTIVATION_NAMES)[number];

export const PADDING_NAMES = ['SAME', 'VALID'] as const;
export type Padding = (typeof PADDING_NAMES)[number];

export const MIRROR_PAD_MODE_NAMES = ['REFLECT', 'SYMMETRIC'] as const;
export type MirrorPadMode = (typeof MIRROR_PAD_MODE_NAMES)[number];

export const WEIGHTS_FORMAT_NAMES = ['DEFAULT', 'SHUFFLED4x16INT8'] as const;
export type WeightsFormat = (typeof WEIGHTS_FORMAT_NAMES)[number];

/** BuiltinOptions union member codes (0 = NONE) for the tables we model. */
export const BuiltinOptionsType = {
  NONE: 0,
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  AddOptions: 11,
  ResizeBilinearOptions: 15,
  ReshapeOptions: 17,
  MulOptions: 21,
  PadOptions: 22,
  ReducerOptions: 27,
  SubOptions: 28,
  SqueezeOptions: 30,
  StridedSliceOptions: 32,
  DequantizeOptions: 38,
  MaximumMinimumOptions: 39,
  LeakyReluOptions: 75,
  SliceOptions: 48,
  TransposeConvOptions: 49,
  ResizeNearestNeighborOptions: 74,
  SquaredDifferenceOptions: 76,
  MirrorPadOptions: 77,
  QuantizeOptions: 89,
  HardSwishOptions: 91,
} as const;
export type BuiltinOptionsTypeName = keyof typeof BuiltinOptionsType;
