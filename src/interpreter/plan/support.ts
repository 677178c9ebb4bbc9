// Which builtin ops (and versions) the interpreter runs, and the sentence
// that says so when a file asks for something else.

import { UserError } from '../../errors.js';
import type { OpName } from '../../tflite/options.js';
import { type OpContext, unsupported } from './context.js';

/** Highest version of each op TFLite's builtin resolver registers; dtype checks refine it per op. */
export const MAX_OP_VERSION: Readonly<Record<OpName, number>> = {
  ADD: 5, AVERAGE_POOL_2D: 3, CONCATENATION: 4, CONV_2D: 8, DEPTHWISE_CONV_2D: 7, DEQUANTIZE: 6,
  FULLY_CONNECTED: 12, HARD_SWISH: 1, LOGISTIC: 3, MAX_POOL_2D: 3, MEAN: 3, MUL: 7, PAD: 4, QUANTIZE: 3,
  RELU: 3, RELU6: 3, RESHAPE: 1, SOFTMAX: 3, SQUEEZE: 2, SUB: 5, TANH: 3,
  LEAKY_RELU: 2, PRELU: 1, MAXIMUM: 4, MINIMUM: 4, REDUCE_MAX: 3,
  TRANSPOSE_CONV: 4, RESIZE_BILINEAR: 4, RESIZE_NEAREST_NEIGHBOR: 4, STRIDED_SLICE: 8, SLICE: 6, MIRROR_PAD: 3,
  SQUARED_DIFFERENCE: 2, RSQRT: 3,
};

/** What each op accepts, for error sentences. */
export const OP_TYPES: Readonly<Record<OpName, string>> = {
  ADD: 'int8 or float32',
  SUB: 'int8 or float32',
  MUL: 'int8 or float32',
  AVERAGE_POOL_2D: 'int8 or float32',
  MAX_POOL_2D: 'int8 or float32',
  CONCATENATION: 'int8, uint8, int32 or float32',
  CONV_2D: 'int8 (int8 weights, int32 bias), float32, or float32 with int8 weights (dynamic range)',
  DEPTHWISE_CONV_2D: 'int8 (int8 weights, int32 bias), float32, or float32 with per-channel int8 weights (dynamic range)',
  FULLY_CONNECTED: 'int8 (int8 weights, int32 bias), float32, or float32 with int8 weights (dynamic range)',
  DEQUANTIZE: 'int8, uint8, int16 or float16 to float32',
  QUANTIZE: 'float32 to int8/uint8, or int8/uint8 to int8/uint8',
  HARD_SWISH: 'int8 or float32',
  LOGISTIC: 'int8 or float32',
  TANH: 'int8 or float32',
  RELU: 'int8 or float32',
  RELU6: 'int8 or float32',
  MEAN: 'int8 or float32',
  PAD: 'int8, uint8, int32 or float32',
  RESHAPE: 'any type (the data is moved unchanged)',
  SQUEEZE: 'any type (the data is moved unchanged)',
  SOFTMAX: 'int8 or float32',
  LEAKY_RELU: 'int8 or float32',
  PRELU: 'int8 (constant int8 alpha) or float32',
  MAXIMUM: 'int8 or float32',
  MINIMUM: 'int8 or float32',
  REDUCE_MAX: 'int8 or float32',
  TRANSPOSE_CONV: 'int8 (int8 weights, int32 bias) or float32',
  RESIZE_BILINEAR: 'int8 or float32',
  RESIZE_NEAREST_NEIGHBOR: 'int8 or float32',
  STRIDED_SLICE: 'int8, uint8, int32 or float32',
  SLICE: 'int8, uint8, int32 or float32',
  MIRROR_PAD: 'int8, uint8, int32 or float32',
  SQUARED_DIFFERENCE: 'int8 or float32',
  RSQRT: 'int8 or float32',
};

export function supportedOpList(): string {
  return Object.keys(MAX_OP_VERSION).sort().join(', ');
}

export function checkVersion(ctx: OpContext): void {
  const max = MAX_OP_VERSION[ctx.op];
  if (!(ctx.version >= 1 && ctx.version <= max)) {
    throw new UserError(
      `The interpreter cannot run ${ctx.label}: it is version ${ctx.version}, and versions 1–${max} of ${ctx.op} are supported.`,
    );
  }
}

export function typeError(ctx: OpContext): UserError {
  const ins = ctx.inputs.map((t) => (t ? t.dtype : '-')).join(', ');
  const outs = ctx.outputs.map((t) => t.dtype).join(', ');
  return unsupported(ctx, `it takes (${ins}) and produces (${outs}); ${ctx.op} is supported for ${OP_TYPES[ctx.op]}`);
}
